import FleetPortsCore
import FleetPortsSSH
import FleetPortsScan
import Foundation
import LabSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// One scan over a fleet where things go wrong: every host must end as the right row and
/// the command must finish with the documented exit code.
@Suite(.labFleet) struct MixedFleetTests {
  /// A lab address no host has: it routes through the lab bridge, and nothing answers.
  static let absentAddress = "10.200.0.250"

  static func routesThroughLabBridge(_ address: String) throws -> Bool {
    let text = try ChildProcess.run(["/usr/bin/env", "ip", "route", "get", address], timeout: .seconds(30)).stdoutText
    return text.contains("dev fpbr0")
  }

  @Test func everyHostEndsAsTheRightRow() async throws {
    let lab = try LabFleet.forTests()
    let noSS = try #require(lab.hosts.first { !$0.hasSS }, "the lab needs 7 hosts for one without ss")
    let (ok, refused, changed) = (lab.hosts[0], lab.hosts[1], lab.hosts[2])
    #expect(try Self.routesThroughLabBridge(Self.absentAddress))
    let dir = try LabScan.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // A key the lab does not know, for one host.
    let stranger = dir + "/stranger"
    let keygen = try ChildProcess.run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger], timeout: .seconds(60))
    try #require(keygen.status == 0, "ssh-keygen: \(keygen.stderrText)")
    // known_hosts where `changed` holds another host's keys: a re-installed machine.
    let lines = try String(contentsOfFile: lab.knownHostsPath, encoding: .utf8).split(separator: "\n").map(String.init)
    let forged = lines.map { line -> String in
      let fields = line.split(separator: " ", maxSplits: 1)
      guard fields[0].split(separator: ",").contains(Substring(changed.ipv4)) else { return line }
      let donor = lines.first { $0.hasPrefix(lab.hosts[3].name + ",") && $0.contains(" ssh-ed25519 ") } ?? line
      return "\(changed.name),\(changed.ipv4) " + donor.split(separator: " ", maxSplits: 1)[1]
    }
    let knownHosts = dir + "/known_hosts"
    try (forged.joined(separator: "\n") + "\n").write(toFile: knownHosts, atomically: true, encoding: .utf8)
    let silent = SilentListener()
    defer { silent.close() }
    let inventory = """
      # a fleet in trouble
      [fine]
      root@\(ok.ipv4)
      root@\(noSS.ipv4)
      [broken]
      root@\(refused.ipv4) key=\(stranger)
      root@\(changed.ipv4)
      root@\(Self.absentAddress)
      root@127.0.0.1:\(silent.port)
      """
    try inventory.write(toFile: dir + "/inventory.txt", atomically: true, encoding: .utf8)
    let result = try FleetPortsCLI.run([
      "scan", dir + "/inventory.txt", "--db", dir + "/history.db", "--known-hosts", knownHosts, "--identity", lab.identityPath,
      "--timeout", "8", "--out", dir + "/report", "--ssh-config", "/dev/null",
    ])
    #expect(result.status == 3, "some hosts failed: exit 3\n\(result.stdout)")
    let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/report/scan.json")
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
    let scan = try JSONDecoder().decode(ScanResult.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/report/scan.json")))
    let byAddress = Dictionary(uniqueKeysWithValues: scan.hosts.map { ("\($0.address):\($0.port)", $0) })
    #expect(byAddress["\(ok.ipv4):22"]?.status == .ok)
    // This host has no base64 either: only the fallback to the probe on stdin scans it.
    let fallback = try #require(byAddress["\(noSS.ipv4):22"]?.snapshot)
    #expect(fallback.provenance.method == .netstat, "no ss on the PATH: auto falls back to netstat")
    #expect(Set(LabScan.listeners(fallback, of: noSS).keys) == noSS.listenerKeys)
    #expect(byAddress["\(refused.ipv4):22"]?.failure?.code == .authenticationFailed)
    #expect(byAddress["\(changed.ipv4):22"]?.failure?.code == .hostKeyChanged)
    let absent = byAddress["\(Self.absentAddress):22"]?.failure?.code.rawValue
    #expect(absent == "timeout-connect" || absent == "unreachable", "absent host: \(String(describing: absent))")
    #expect(byAddress["127.0.0.1:\(silent.port)"]?.failure?.code == .timeout(phase: "handshake"))
    #expect(!result.stdout.contains("\u{1B}"), "no raw escape sequence in the summary")
    #expect(result.stdout.contains("HOST KEY CHANGED"))
  }

  @Test func hostileProcessNamesAreDataNotTerminalCommands() async throws {
    let lab = try LabFleet.forTests()
    let host = try #require(lab.hosts.first { $0.listeners.contains { $0.process.contains("<b>") } })
    let (results, _) = try await LabScan.scanner(lab, method: .lsof).scan([LabScan.target(host)])
    let snapshot = try #require(results.first?.snapshot)
    let names = snapshot.sockets.flatMap(\.processes).map(\.name)
    let hostile = try #require(names.first { $0.hasPrefix("<b>") })
    #expect(hostile == "<b>\"x\"\u{1B}[31m&")
    #expect(!TerminalText.sanitize(hostile).contains("\u{1B}"))
  }
}
