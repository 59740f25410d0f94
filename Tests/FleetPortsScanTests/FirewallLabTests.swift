import FleetPortsCore
import FleetPortsScan
import Foundation
import LabSupport
import Testing

/// Issue 19 on the live lab: every TCP listener's effective exposure, as the scan judges it
/// through the host's firewall, equals what a real TCP connect from outside the host meets
/// (from the root namespace over the lab bridge, as 10.200.0.1); the host whose port a DNAT
/// publishes past its INPUT deny raises `firewall-bypassed-by-nat`; firewalled datastores are not HIGH.
@Suite(.labFleet) struct FirewallLabTests {
  /// True when `address` routes over the lab bridge (`ip route get` says `dev fpbr0`): the
  /// only addresses a lab test may connect to.
  static func routesOverLabBridge(_ address: String) throws -> Bool {
    let route = try ChildProcess.run(["/usr/sbin/ip", "route", "get", address], timeout: .seconds(10))
    return route.status == 0 && (String(decoding: route.stdout, as: UTF8.self) + " ").contains(" dev fpbr0 ")
  }

  /// A real TCP connect to `address`:`port` (1.5 s), reset at once, from `namespace` when given (a lab host's
  /// own namespace, to try an allowed source). The address goes in argv, never through a shell.
  static func connects(_ address: String, _ port: Int, from namespace: String? = nil) throws -> Bool {
    // Closed with a RST (SO_LINGER 0): a FIN would leave the lab's never-accepting services
    // a connection in CLOSE-WAIT, which the other lab tests count against the truth.
    let script =
      "import socket,struct,sys\ntry:\n c=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1.5)\n"
      + " c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))\n c.close()\nexcept OSError:\n sys.exit(1)\n"
    let python = ["/usr/bin/python3", "-c", script, address, String(port)]
    let argv = namespace.map { ["/usr/sbin/ip", "netns", "exec", $0] + python } ?? python
    return try ChildProcess.run(argv, timeout: .seconds(20)).status == 0
  }

  /// The address a connect from outside uses for a truth listener: the host's IPv4 for
  /// 0.0.0.0, its IPv6 for ::, else the bound address itself.
  static func destination(_ listener: LabListener, on host: LabHost) -> String {
    switch listener.address {
    case "0.0.0.0": return host.ipv4
    case "::": return host.ipv6
    default: return listener.address
    }
  }

  @Test func everyTCPListenersExposureIsWhatARealConnectFromOutsideMeets() async throws {
    let lab = try LabFleet.forTests()
    #expect(lab.hosts.contains { $0.firewall != nil }, "the lab has firewalled hosts (N >= 8)")
    let (results, interrupted) = try await LabScan.scanner(lab).scan(lab.hosts.map { LabScan.target($0) })
    #expect(!interrupted)
    let analysis = ExposureAnalysis.analyze(results, policy: nil, today: try #require(PolicyDate("2025-06-01")))
    var checked = 0
    var connected = 0
    for (index, result) in results.enumerated() {
      let host = try #require(lab.host(named: result.name))
      #expect(result.snapshot?.firewall?.status == .read, "\(host.name): \(result.snapshot?.firewall?.reason ?? "no firewall")")
      let listeners = analysis.listeners[index] ?? []
      for truth in host.tcpListeners where !truth.isLoopback {
        // The never-accepting listener's queue is full by design: a SYN to it is dropped by the kernel, not the firewall.
        guard truth.process != "slow accept" else { continue }
        let key = ListenerKey(truth)
        let listener = try #require(listeners.first { ListenerKey($0.socket) == key }, "\(host.name): \(key) not scanned")
        let exposure = try #require(listener.exposure, "\(host.name): \(key) not judged")
        let address = Self.destination(truth, on: host)
        try #require(try Self.routesOverLabBridge(address), "\(address) does not route over the lab bridge: no connect")
        let reached = try Self.connects(address, truth.port)
        checked += 1
        if reached { connected += 1 }
        // What the controller (10.200.0.1) should meet: open, or restricted to sources that include it.
        let controllerAllowed: Bool
        switch exposure.kind {
        case .open: controllerAllowed = true
        case .blocked: controllerAllowed = false
        case .restricted:
          let controller = try #require(AddressRangeSet.parse("10.200.0.1"))
          let v6 = try #require(AddressRangeSet.parse("fd00:200::1"))
          controllerAllowed = exposure.sources.contains { prefix in
            AddressRangeSet.parse(prefix).map { controller.isSubset(of: $0) || v6.isSubset(of: $0) } ?? false
          }
        case .uncertain, .unknown:
          Issue.record("\(host.name): \(key) is \(exposure.kind.rawValue) on a root scan of known rules: \(exposure.reason)")
          continue
        }
        #expect(reached == controllerAllowed, "\(host.name): \(key) judged \(exposure.summary) but a real connect \(reached ? "succeeded" : "failed")")
        if let wanted = host.firewall?.expect["tcp/\(truth.port)"] {
          #expect(exposure.kind.rawValue == wanted, "\(host.name): \(key) judged \(exposure.kind.rawValue), the truth says \(wanted)")
        } else {
          #expect(exposure.kind == .open, "\(host.name): \(key) has no rule in the truth: open (\(exposure.summary))")
        }
        // A restricted port's accepted sources are the truth's; a lab host among them really gets in.
        if exposure.kind == .restricted, let allowed = host.firewall?.allowed?["tcp/\(truth.port)"] {
          #expect(exposure.sources == allowed, "\(host.name): \(key) accepted from \(exposure.sources), the truth says \(allowed)")
          for source in allowed {
            let address = String(source.split(separator: "/")[0])
            guard let peer = lab.hosts.first(where: { $0.ipv4 == address }) else { continue }
            #expect(try Self.connects(Self.destination(truth, on: host), truth.port, from: peer.namespace), "\(peer.name) is allowed to \(host.name) \(key)")
          }
        }
      }
    }
    print("FirewallLabTests: \(checked) real TCP connects from 10.200.0.1, \(connected) connected, \(checked - connected) refused or dropped")
    #expect(checked >= 20)
    #expect(connected < checked, "some connects were refused: the lab's firewalls are in force")
  }

  /// UDP has no handshake to try: each UDP listener the truth lists a rule for is judged as the rules mean.
  @Test func udpListenersAreJudgedAsTheRulesMean() async throws {
    let lab = try LabFleet.forTests()
    let (results, _) = try await LabScan.scanner(lab).scan(lab.hosts.map { LabScan.target($0) })
    let analysis = ExposureAnalysis.analyze(results, policy: nil, today: try #require(PolicyDate("2025-06-01")))
    var judged = 0
    for (index, result) in results.enumerated() {
      let host = try #require(lab.host(named: result.name))
      for truth in host.udpListeners where !truth.isLoopback {
        let listener = try #require((analysis.listeners[index] ?? []).first { ListenerKey($0.socket) == ListenerKey(truth) })
        let wanted = host.firewall?.expect["udp/\(truth.port)"] ?? "open"
        #expect(listener.exposure?.kind.rawValue == wanted, "\(host.name): udp \(truth.port) judged \(listener.exposure?.summary ?? "-")")
        if let allowed = host.firewall?.allowed?["udp/\(truth.port)"] { #expect(listener.exposure?.sources == allowed) }
        judged += 1
      }
    }
    #expect(judged > 0)
  }

  @Test func theDNATHostRaisesBypassAndFirewalledDatastoresAreNotHigh() async throws {
    let lab = try LabFleet.forTests()
    let (results, _) = try await LabScan.scanner(lab).scan(lab.hosts.map { LabScan.target($0) })
    let analysis = ExposureAnalysis.analyze(results, policy: nil, today: try #require(PolicyDate("2025-06-01")))
    for host in lab.hosts {
      let bypass = analysis.findings.filter { $0.ruleID == "firewall-bypassed-by-nat" && $0.host == host.name }
      #expect(Set(bypass.compactMap { $0.socket?.port }.map(Int.init)) == Set(host.firewall?.bypass ?? []), "\(host.name)")
      #expect(bypass.allSatisfy { $0.severity == .high })
      if let port = host.firewall?.bypass.first {
        // The real connect to the published port reaches the container behind the DNAT.
        try #require(try Self.routesOverLabBridge(host.ipv4))
        #expect(try Self.connects(host.ipv4, port), "\(host.name): the published port \(port) is reachable from outside")
      }
      for finding in analysis.findings where finding.ruleID == "datastore-exposed" && finding.host == host.name {
        guard let port = finding.socket?.port, let wanted = host.firewall?.expect["tcp/\(port)"] else { continue }
        if wanted == "blocked" {
          #expect(finding.severity == .low && finding.title == "Datastore bound wide, firewalled", "\(host.name): \(finding.evidence)")
          #expect(finding.evidence.contains("policy drop"), "names the deciding rule: \(finding.evidence)")
        }
        #expect(finding.severity < .critical, "\(host.name): \(port) is firewalled (\(wanted))")
      }
    }
  }

  /// `--verify-reach` on the lab (lab addresses only: every target routes over the bridge):
  /// the controller's own connects agree with every exposure they can confirm.
  @Test func verifyReachAgreesWithTheJudgedExposureOnTheLab() async throws {
    let lab = try LabFleet.forTests()
    let (results, _) = try await LabScan.scanner(lab).scan(lab.hosts.map { LabScan.target($0) })
    let options = ScanOptions(inventory: "lab", method: .auto, sudo: false, parallel: 8, timeoutSeconds: 20, hostKeyChecking: "strict")
    let scan = ScanResult(toolVersion: "t", startedAt: "s", finishedAt: "f", interrupted: false, options: options, hosts: results)
      .analyzed(policy: nil, today: try #require(PolicyDate("2025-06-01")))
    let targets = ReachCheckPlan.targets(scan)
    for target in targets { try #require(try Self.routesOverLabBridge(target.address), "\(target.address) is not a lab address") }
    let verified = await ReachVerifier.verify(scan)
    let checks = verified.hosts.flatMap { ($0.listeners ?? []).compactMap(\.reachCheck) }
    #expect(checks.count == targets.count && checks.count >= 10)
    #expect(checks.contains { !$0.connected }, "a blocked listener is among them (lab-004 postgres)")
    // The never-accepting `slow accept` listener (port 7000) drops SYNs with its queue full:
    // a disagreement the check rightly reports; every other one must agree.
    let disagreeing = checks.filter { !$0.agrees }
    #expect(disagreeing.allSatisfy { $0.port == 7000 && !$0.connected }, "\(verified.analysisNotes.last ?? "")")
    #expect(checks.filter { $0.port != 7000 }.allSatisfy { $0.agrees })
    print("FirewallLabTests: --verify-reach made \(checks.count) connects, \(checks.filter(\.agrees).count) agree")
  }
}
