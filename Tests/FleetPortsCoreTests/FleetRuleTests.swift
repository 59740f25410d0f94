import FleetPortsCore
import Foundation
import Testing

/// `peer-outlier` and `required-listener-missing` on the real lab scan (lab8-scan.json).
@Suite struct FleetRuleTests {
  /// (group, proto/port) → hosts with a listener beyond loopback there, counted here from the
  /// listeners, independently of `FleetAggregation`.
  static func holders(_ scan: ScanResult) -> [String: Set<String>] {
    var result: [String: Set<String>] = [:]
    for host in scan.hosts where host.status == .ok {
      for listener in host.analysedListeners where [.tcp, .udp].contains(listener.proto) {
        guard let reach = listener.reach?.reach, reach > .loopback, let port = listener.port else { continue }
        for group in host.groups { result["\(group) \(listener.proto.rawValue)/\(port)", default: []].insert(host.name) }
      }
    }
    return result
  }

  @Test func peerOutlierFlagsExactlyTheListenersRareInTheirGroup() throws {
    let lab = try AnalysisFixtures.lab()
    #expect(lab.analyzed(policy: nil, today: AnalysisFixtures.today).findings.allSatisfy { $0.ruleID != "peer-outlier" })
    let policy = Policy(defaults: PolicyRules(thresholds: PolicyThresholds(peerOutlierPercent: 30)))
    let analyzed = lab.analyzed(policy: policy, today: AnalysisFixtures.today)
    let flagged = Set(analyzed.findings.filter { $0.ruleID == "peer-outlier" }.map { "\($0.host) \($0.socket?.text ?? "")" })
    var expected: Set<String> = []
    let sizes = Dictionary(grouping: lab.hosts.flatMap(\.groups), by: { $0 }).mapValues(\.count)
    for (key, hosts) in Self.holders(analyzed) {
      let group = String(key.split(separator: " ")[0])
      guard let size = sizes[group], hosts.count * 100 < 30 * size else { continue }
      for name in hosts {
        let port = key.split(separator: "/").last.map(String.init) ?? ""
        let proto = String(key.split(separator: " ")[1].split(separator: "/")[0])
        let host = try #require(analyzed.hosts.first { $0.name == name })
        let widest = host.analysedListeners.filter { $0.proto.rawValue == proto && $0.port.map(String.init) == port }
          .max { ($0.reach?.reach ?? .loopback) < ($1.reach?.reach ?? .loopback) }
        expected.insert("\(name) \(widest?.findingSocket.text ?? "")")
      }
    }
    #expect(!expected.isEmpty)
    #expect(flagged == expected)
    #expect(flagged.contains("lab-003 tcp 0.0.0.0:6379"))
    #expect(!flagged.contains { $0.contains(":22") || $0.hasSuffix(":5432") })
    let redis = try #require(analyzed.findings.first { $0.ruleID == "peer-outlier" && $0.socket?.port == 6379 })
    #expect(redis.evidence.contains("1 of 4 hosts of group web have it (threshold 30 %)"))
    #expect(redis.severity == .low)
  }

  @Test func requiredListenerMissingOnlyWhenTheServiceIsGone() throws {
    let lab = try AnalysisFixtures.lab()
    let policy = Policy(
      defaults: PolicyRules(require: [RequiredListener(port: 22, proto: .tcp, service: "ssh")]),
      groups: ["db": PolicyRules(require: [RequiredListener(port: 5432, proto: .tcp, service: "postgres", location: "p.yaml:9:7")])])
    let healthy = lab.analyzed(policy: policy, today: AnalysisFixtures.today)
    #expect(healthy.findings.filter { $0.ruleID == "required-listener-missing" }.isEmpty)

    // The lab mutation: postgres stopped on lab-004 (its listening sockets gone).
    var stopped = lab
    let index = try #require(stopped.hosts.firstIndex { $0.name == "lab-004" })
    stopped.hosts[index].snapshot?.sockets.removeAll { $0.isListening && $0.local?.port == 5432 }
    stopped.hosts[index].listeners = nil
    let findings = stopped.analyzed(policy: policy, today: AnalysisFixtures.today).findings.filter { $0.ruleID == "required-listener-missing" }
    #expect(findings.map(\.host) == ["lab-004"])
    #expect(findings.first?.evidence == "required: postgres on 5432/tcp (p.yaml:9:7); no TCP listener on port 5432")
    #expect(findings.first?.severity == .medium)

    // Another program on the port does not fulfil a requirement that names the service.
    let squatter = Policy(defaults: PolicyRules(require: [RequiredListener(port: 8080, proto: .tcp, service: "nginx")]))
    let held = lab.analyzed(policy: squatter, today: AnalysisFixtures.today).findings.filter {
      $0.ruleID == "required-listener-missing" && $0.host == "lab-001"
    }
    #expect(held.count == 1 && held.first?.evidence.contains("port 8080 is held by tcp 0.0.0.0:8080, owned by leaky svc") == true)
  }

  @Test func connectionsAreCountedPerListenerWithTheirNetworks() throws {
    let lab = try AnalysisFixtures.lab()
    let host = try #require(lab.hosts.first { $0.name == "lab-004" })
    let snapshot = try #require(host.snapshot)
    let connections = ConnectionAggregation.connections(listeners: host.analysedListeners, snapshot: snapshot)
    let ssh = try #require(connections.first { $0.port == 22 })
    #expect(ssh.established == 1 && ssh.peers == 1 && ssh.remotePeers == 1)
    #expect(ssh.networks == [ListenerConnections.Network(name: "10.200.0.0/24", connections: 1)])
    // lab-001's web worker on 127.0.0.1:80 is talked to over loopback only.
    let web = try #require(lab.hosts.first { $0.name == "lab-001" })
    let local = ConnectionAggregation.connections(listeners: web.analysedListeners, snapshot: try #require(web.snapshot))
    let http = try #require(local.first { $0.port == 80 })
    #expect(http.networks.map(\.name) == ["loopback"] && http.remotePeers == 0 && http.established >= 1)
  }

  @Test func peerNetworksAreSlash24Slash64ThisHostAndLoopback() throws {
    let own: [HostAddress] = [HostAddress.parse("10.0.0.5"), HostAddress.parse("2001:db8:1:2::5")]
    #expect(ConnectionAggregation.network(of: .parse("10.0.0.5"), hostAddresses: own) == "this host")
    #expect(ConnectionAggregation.network(of: .parse("::ffff:10.0.0.5"), hostAddresses: own) == "this host")
    #expect(ConnectionAggregation.network(of: .parse("127.0.0.53"), hostAddresses: own) == "loopback")
    #expect(ConnectionAggregation.network(of: .parse("::1"), hostAddresses: own) == "loopback")
    #expect(ConnectionAggregation.network(of: .parse("192.0.2.77"), hostAddresses: own) == "192.0.2.0/24")
    #expect(ConnectionAggregation.network(of: .parse("::ffff:198.51.100.9"), hostAddresses: own) == "198.51.100.0/24")
    #expect(ConnectionAggregation.network(of: .parse("2001:db8:1:2:aa::1"), hostAddresses: own) == "2001:db8:1:2::/64")
    #expect(ConnectionAggregation.network(of: .parse("2001:db8:1:2::5"), hostAddresses: own) == "this host")
  }
}
