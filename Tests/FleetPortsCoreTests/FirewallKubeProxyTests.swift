import FleetPortsCore
import Foundation
import LabSupport
import Testing

/// A 20,000-rule kube-proxy-like ruleset, generated at test time by Fixtures/firewall/gen-kube-proxy.py
/// (its spelling checked against iptables-legacy-save by capture.sh): read fast, judged fast, and right.
@Suite struct FirewallKubeProxyTests {
  static let node: [InterfaceAddress] = [
    InterfaceAddress(interface: "lo", address: .ipv4(IPv4Address(127, 0, 0, 1)), prefixLength: 8),
    InterfaceAddress(interface: "eth0", address: .ipv4(IPv4Address(10, 0, 0, 5)), prefixLength: 24),
    InterfaceAddress(interface: "cni0", address: .ipv4(IPv4Address(10, 244, 0, 1)), prefixLength: 16),
  ]

  static func generated(_ rules: Int) throws -> [UInt8] {
    let script = FixtureFiles.root.appendingPathComponent("firewall/gen-kube-proxy.py").path
    let ran = try ChildProcess.run(["/usr/bin/python3", script, String(rules)], timeout: .seconds(60))
    #expect(ran.status == 0)
    return ran.stdout
  }

  @Test func twentyThousandRulesJudgedRightAndFast() throws {
    let bytes = try Self.generated(20_000)
    let parse = IptablesSaveParser.parse(bytes, family: .ipv4)
    #expect(parse.report.unparsedCount == 0)
    #expect(parse.ruleset.ruleCount >= 20_000)
    let clock = ContinuousClock()
    let started = clock.now
    let evaluator = FirewallEvaluator(ruleset: parse.ruleset, hostAddresses: Self.node)
    var verdicts: [UInt16: FirewallVerdict] = [:]
    let ports: [UInt16] = [22, 10250, 6443, 30001, 30005, 2379, 9100, 10256, 53, 111]
    for port in ports {
      verdicts[port] = evaluator.verdicts(proto: .tcp, bind: .wildcard(.ipv4), port: port).first { $0.source == .anywhere }?.verdict
    }
    let elapsed = clock.now - started
    #expect(verdicts[22]?.kind == .accept)
    #expect(verdicts[10250]?.kind == .restricted && verdicts[10250]?.acceptedSources == ["10.0.0.0/8"])
    #expect(verdicts[6443]?.kind == .drop && verdicts[6443]?.rule?.text == "policy drop")
    // NodePort 30001 (service svc1, one endpoint): DNAT to the pod, then FORWARD (policy ACCEPT;
    // KUBE-FORWARD's `-m mark` is unknown but both ways end in accept).
    let nodePort = try #require(verdicts[30001])
    #expect(nodePort.kind == .accept)
    #expect(nodePort.dnat.count == 1 && nodePort.dnat.first?.rule.chain.hasPrefix("KUBE-SEP-") == true)
    // NodePort 30005 (svc5: no endpoints, so no KUBE-NODEPORTS rule): INPUT's NodePort range accepts it.
    #expect(verdicts[30005]?.kind == .accept && verdicts[30005]?.dnat.isEmpty == true)
    // In a debug build; the release figure is in Benchmarks/ParserBench.
    #expect(elapsed < .seconds(2), "\(elapsed)")
  }
}
