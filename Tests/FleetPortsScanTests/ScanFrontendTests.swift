import FleetPortsCore
import FleetPortsScan
import Foundation
import Testing

/// The scan frontend without a network: inputs refused with the file to fix, and the exit
/// code ladder both `scan` and `local` end with.
@Suite struct ScanFrontendTests {
  static func folder() throws -> String {
    let path = NSTemporaryDirectory() + "fp-frontend-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  @Test func aMalformedInventoryIsRefusedWithFileAndLine() throws {
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let inventory = dir + "/fleet.txt"
    try "web-1\nweb-2 port=notaport\n".write(toFile: inventory, atomically: true, encoding: .utf8)
    let request = ScanRequest(inventory: inventory, sshConfig: "/dev/null", knownHosts: "/dev/null")
    #expect {
      try ScanInputs.load(request, home: dir, environment: [:])
    } throws: { error in
      "\(error)".contains("\(inventory):2")
    }
  }

  @Test func aPassphraseVariableThatIsNotSetIsRefused() throws {
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let inventory = dir + "/fleet.txt"
    try "web-1\n".write(toFile: inventory, atomically: true, encoding: .utf8)
    try "".write(toFile: dir + "/known_hosts", atomically: true, encoding: .utf8)
    let request = ScanRequest(inventory: inventory, passphraseEnv: "FP_NO_SUCH_VARIABLE", sshConfig: "/dev/null", knownHosts: dir + "/known_hosts")
    #expect {
      try ScanInputs.load(request, home: dir, environment: ["USER": "me"])
    } throws: { error in
      "\(error)".contains("FP_NO_SUCH_VARIABLE")
    }
    // With the variable set, the same request is a plan of one host.
    let plan = try ScanInputs.load(request, home: dir, environment: ["USER": "me", "FP_NO_SUCH_VARIABLE": "secret"])
    #expect(plan.hostCount == 1)
  }

  @Test func thePerServerLimitReachesTheScanner() throws {
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let inventory = dir + "/fleet.txt"
    try "web-1\n".write(toFile: inventory, atomically: true, encoding: .utf8)
    try "".write(toFile: dir + "/known_hosts", atomically: true, encoding: .utf8)
    for (perServer, expected) in [(nil, 8), (3, 3)] as [(Int?, Int)] {
      var request = ScanRequest(inventory: inventory, sshConfig: "/dev/null", knownHosts: dir + "/known_hosts")
      if let perServer { request.perServer = perServer }
      let plan = try ScanInputs.load(request, home: dir, environment: ["USER": "me"])
      guard case .fleet(let scanner, _, _) = plan.source else {
        Issue.record("not a fleet plan")
        continue
      }
      #expect(scanner.perServer == expected)
    }
  }

  @Test func anEmptyInventoryIsRefused() throws {
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let inventory = dir + "/empty.txt"
    try "# nothing here\n".write(toFile: inventory, atomically: true, encoding: .utf8)
    #expect(throws: ScanInputError("\(inventory) lists no hosts")) {
      try ScanInputs.load(ScanRequest(inventory: inventory, sshConfig: "/dev/null", knownHosts: "/dev/null"), home: dir, environment: [:])
    }
  }

  /// A snapshot's provenance as scan.json holds it: root, `/proc/net` read, nothing missing.
  static let provenanceJSON = #"{"attribution":"complete","isRoot":true,"kernelTablesRead":true,"toolVersions":{},"sections":[],"problems":[]}"#

  /// Outcomes of hosts with the given statuses (no sockets: the ladder reads statuses, findings and provenance).
  static func outcome(statuses: [HostResult.Status], interrupted: Bool = false, degraded: Bool = false) throws -> ScanOutcome {
    let options = ScanOptions(inventory: "i", method: .auto, sudo: false, parallel: 1, timeoutSeconds: 1, hostKeyChecking: "strict")
    let hosts = try statuses.enumerated().map { index, status in
      var host = HostResult(name: "h\(index)", address: "10.0.0.\(index)", port: 22, user: "root", groups: [], status: status)
      if status == .ok {
        var provenance = try JSONDecoder().decode(Provenance.self, from: Data(provenanceJSON.utf8))
        if degraded { provenance.degraded = ["/proc/net/tcp was cut at 16 MiB"] }
        host.snapshot = HostSnapshot(
          meta: ProbeMeta(), addresses: [], sockets: [], unixSocketModes: [], counters: KernelCounters(), provenance: provenance)
      }
      return host
    }
    let scan = ScanResult(toolVersion: "t", startedAt: "s", finishedAt: "f", interrupted: interrupted, options: options, hosts: hosts)
    return ScanOutcome(scan: scan, historyPath: "db")
  }

  @Test func theExitCodeIsTheFirstThatApplies() throws {
    #expect(try Self.outcome(statuses: [.ok, .ok]).exitCode(failOn: nil) == 0)
    #expect(try Self.outcome(statuses: [.ok, .failed]).exitCode(failOn: nil) == 3)
    #expect(try Self.outcome(statuses: [.ok], degraded: true).exitCode(failOn: nil) == 3)
    #expect(try Self.outcome(statuses: [.failed, .failed]).exitCode(failOn: nil) == 4)
    #expect(try Self.outcome(statuses: [.ok, .notScanned], interrupted: true).exitCode(failOn: nil) == 130)
    var findings = try Self.outcome(statuses: [.ok, .failed])
    findings.scan.findings = [Finding(ruleID: "r", severity: .high, title: "t", host: "h0", socket: nil, evidence: "e", fix: "f")]
    #expect(findings.exitCode(failOn: .high) == 1)
    #expect(findings.exitCode(failOn: .critical) == 3)
    findings.scan.findings[0].suppressed = FindingSuppression(reason: "known", expires: nil)
    #expect(findings.exitCode(failOn: .high) == 3, "suppressed findings never fail a scan")
    var unwritten = try Self.outcome(statuses: [.ok], interrupted: true)
    unwritten.reportFailure = "disk full"
    #expect(unwritten.exitCode(failOn: nil) == 5, "a scan whose record was lost says so before anything else")
    var unstored = try Self.outcome(statuses: [.ok])
    unstored.storeFailure = "database is locked"
    #expect(unstored.exitCode(failOn: nil) == 5)
  }
}
