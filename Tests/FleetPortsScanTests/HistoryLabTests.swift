import FleetPortsCore
import Foundation
import LabSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Two scans of the lab with known changes between them, stored in one history: `diff`
/// must show exactly those changes. Every change is undone in a defer, so the lab is left as
/// its truth says for the other tests.
@Suite(.labFleet) struct HistoryLabTests {
  /// Ports no lab service uses: widened, stopped and opened between the scans.
  static let (widenedPort, stoppedPort, newPort) = (18081, 18082, 18083)

  /// Runs `ip netns exec NS command…` and waits.
  @discardableResult
  static func inNamespace(_ namespace: String, _ command: [String]) throws -> String {
    try ChildProcess.run(["/usr/bin/env", "ip", "netns", "exec", namespace] + command, timeout: .seconds(60)).stdoutText
  }

  /// A python3 TCP listener inside a lab host (its PID namespace too, so the host's probe
  /// names its owner), until `stop()`; it dies with the nsenter that started it.
  final class Listener {
    let process = Process()

    let namespace: String
    let port: Int

    init(lab: LabFleet, host: LabHost, address: String, port: Int) throws {
      (namespace, self.port) = (host.namespace, port)
      let inside = try lab.insideHost(host)
      process.executableURL = URL(fileURLWithPath: inside[0])
      process.arguments =
        Array(inside.dropFirst()) + [
          "python3", "-c",
          "import ctypes, socket, time\nctypes.CDLL(None).prctl(1, 9)\ns = socket.socket()\n"
            + "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            + "s.bind(('\(address)', \(port)))\ns.listen()\ntime.sleep(600)",
        ]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      for _ in 0..<50 {
        let ss = try HistoryLabTests.inNamespace(namespace, ["ss", "-Htln", "sport = :\(port)"])
        if ss.contains(":\(port)") { return }
        usleep(100_000)
      }
      stop()
      throw LabFleetError("the test listener on \(address):\(port) in \(namespace) did not start")
    }

    /// SIGKILL: the test runner hands its children a blocked SIGTERM, which would never arrive.
    /// The python3 child dies with nsenter (its parent death signal): wait, bounded, until
    /// its port is free, so the next listener can bind it.
    func stop() {
      guard process.isRunning else { return }
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      for _ in 0..<50 {
        guard let ss = try? HistoryLabTests.inNamespace(namespace, ["ss", "-Htln", "sport = :\(port)"]), ss.contains(":\(port)")
        else { return }
        usleep(100_000)
      }
    }
  }

  @Test func diffShowsExactlyWhatChangedOnTheLab() throws {
    let lab = try LabFleet.forTests()
    guard let changed = lab.host(index: 6), let unreachable = lab.host(index: 8) else {
      // A smaller lab cannot show every change: a skip, unless `make test` promised the lab.
      if LabFleet.isRequired { throw LabFleetError("the history test needs a lab of 8 hosts") }
      try Test.cancel("needs a lab of 8 hosts; this one has \(lab.hosts.count)")
    }
    let dir = try LabScan.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let db = dir + "/history/fleetports.db"
    // --timeout 15: a healthy host must not time out on a loaded 2-core machine (the unplugged
    // one fails at the connect deadline, at most 10 s, whatever this is).
    let scanArguments = [
      "--known-hosts", lab.knownHostsPath, "--identity", lab.identityPath, "--ssh-config", "/dev/null", "--timeout", "15", "--db", db,
    ]

    // Before the first scan: one service on loopback only, one that will be stopped.
    let loopbackOnly = try Listener(lab: lab, host: changed, address: "127.0.0.1", port: Self.widenedPort)
    defer { loopbackOnly.stop() }
    let doomed = try Listener(lab: lab, host: changed, address: "0.0.0.0", port: Self.stoppedPort)
    defer { doomed.stop() }
    let first = try FleetPortsCLI.run(["scan", lab.inventoryPath, "--out", dir + "/first"] + scanArguments)
    #expect(first.status == 0, "the lab scans clean\n\(first.stdout)")

    // The changes: the loopback service now on every address, one stopped, one new, a host gone.
    loopbackOnly.stop()
    let widened = try Listener(lab: lab, host: changed, address: "0.0.0.0", port: Self.widenedPort)
    defer { widened.stop() }
    doomed.stop()
    let opened = try Listener(lab: lab, host: changed, address: "0.0.0.0", port: Self.newPort)
    defer { opened.stop() }
    try Self.inNamespace(unreachable.namespace, ["ip", "link", "set", "eth0", "down"])
    defer {
      // Link down flushes the IPv6 address (keep_addr_on_down is off): put both back as host-up.sh does.
      _ = try? Self.inNamespace(unreachable.namespace, ["ip", "link", "set", "eth0", "up"])
      _ = try? Self.inNamespace(unreachable.namespace, ["ip", "-6", "addr", "replace", unreachable.ipv6 + "/64", "dev", "eth0", "nodad"])
    }
    let second = try FleetPortsCLI.run(["scan", lab.inventoryPath, "--out", dir + "/second"] + scanArguments)
    #expect(second.status == 3, "one host unreachable: exit 3\n\(second.stdout)")

    let diff = try FleetPortsCLI.run(["diff", "--format", "json", "--db", db])
    #expect(diff.status == 1, "changes found: exit 1")
    let changes = try JSONDecoder().decode(ScanChanges.self, from: Data(diff.stdout.utf8))
    let before = try JSONDecoder().decode(ScanResult.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/first/scan.json")))
    let name = { (ipv4: String) in before.hosts.first { $0.address == ipv4 }?.name ?? ipv4 }
    let (changedName, unreachableName) = (name(changed.ipv4), name(unreachable.ipv4))

    #expect(changes.hosts.map(\.kind) == [.nowUnreachable])
    #expect(changes.hosts.map(\.host) == [unreachableName])
    let listeners = changes.listeners.map { "\($0.kind.rawValue) \($0.host) \($0.proto.rawValue) \($0.port.map(String.init) ?? "-")" }
    #expect(
      Set(listeners) == [
        "bind-widened \(changedName) tcp \(Self.widenedPort)", "closed \(changedName) tcp \(Self.stoppedPort)",
        "new \(changedName) tcp \(Self.newPort)",
      ] && listeners.count == 3, "\(listeners)")
    let widening = try #require(changes.listeners.first { $0.kind == .bindWidened })
    #expect(widening.before.map(\.address) == ["127.0.0.1"] && widening.before.first?.reach == .loopback)
    #expect(widening.after.map(\.address) == ["0.0.0.0"] && widening.after.first?.processes == ["python3"])
    // Findings: only those of the host that stopped answering (resolved: no longer seen), and
    // any about the sockets changed above; nothing else on the lab moved.
    let ours = [Self.widenedPort, Self.stoppedPort, Self.newPort].map(UInt16.init)
    let lost = Set(before.findings.filter { $0.host == unreachableName && $0.suppressed == nil }.map(\.ruleID))
    #expect(!lost.isEmpty, "the lab's host 8 has findings (exposed postgres, world-writable socket)")
    #expect(Set(changes.findings.filter { $0.finding.host == unreachableName }.map(\.finding.ruleID)) == lost)
    // peer-outlier is relative to the fleet: a host gone and listeners moved change who is rare.
    for change in changes.findings where change.finding.host != unreachableName && change.finding.ruleID != "peer-outlier" {
      #expect(change.finding.host == changedName && ours.contains(change.finding.socket?.port ?? 0), "unexpected: \(change)")
    }
    #expect(changes.findings.filter { $0.finding.host == unreachableName }.allSatisfy { $0.kind == .resolved })

    // The second scan's own scan.json (and so its reports) carries the same changes.
    let after = try JSONDecoder().decode(ScanResult.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/second/scan.json")))
    #expect(after.changesSinceLast?.listeners == changes.listeners)
    #expect(after.changesSinceLast?.hosts == changes.hosts)

    // history HOST: the stopped listener is gone, the new one listening since scan 2.
    let history = try FleetPortsCLI.run(["history", changedName, "--json", "--db", db])
    #expect(history.status == 0)
    let rows = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
    let state = { (port: Int) in rows.first { ($0["port"] as? Int) == port && ($0["address"] as? String) == "0.0.0.0" }?["state"] as? String }
    #expect(state(Self.stoppedPort) == "gone")
    #expect(state(Self.newPort) == "listening")

    // A stored scan renders again, byte for byte the scan.json it wrote.
    let report = try FleetPortsCLI.run(["report", "1", "--db", db, "--out", dir + "/again", "--format", "json"])
    #expect(report.status == 0)
    #expect(FileManager.default.contents(atPath: dir + "/again/scan.json") == FileManager.default.contents(atPath: dir + "/first/scan.json"))
    // Unknown ids are usage errors that list the stored scans.
    #expect(try FleetPortsCLI.run(["diff", "1", "99", "--db", db]).status == 2)
  }
}
