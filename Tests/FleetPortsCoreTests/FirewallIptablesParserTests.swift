import FleetPortsCore
import Testing

/// iptables-save text as iptables 1.8.9 printed it (Fixtures/firewall/, both backends).
@Suite struct FirewallIptablesParserTests {
  @Test func dockerLegacyTablesChainsAndRules() throws {
    let parse = IptablesSaveParser.parse(try FixtureFiles.bytes("firewall/docker-like.iptables-legacy-save"), family: .ipv4)
    #expect(parse.report.unparsedCount == 0)
    #expect(parse.ruleset.tables.map(\.name) == ["filter", "nat"])
    #expect(parse.ruleset.tables.allSatisfy { $0.family == .ip && $0.backend == .iptables })
    let filter = parse.ruleset.tables[0]
    let input = try #require(filter.chains.first { $0.name == "INPUT" })
    #expect(input.base == BaseChain(type: .filter, hook: .input, priority: 0, policy: .drop))
    #expect(input.rules[1].matches == [.conntrackState(["related", "established"], negated: false)])
    let docker = try #require(filter.chains.first { $0.name == "DOCKER" })
    #expect(docker.base == nil)
    #expect(
      docker.rules[0].matches == [
        .destinationAddress(try #require(AddressRangeSet.parse("172.17.0.2/32")), negated: false),
        .inputInterface([InterfacePattern("docker0")], negated: true), .outputInterface([InterfacePattern("docker0")], negated: false),
        .l4proto([6], negated: false), .destinationPort(PortRangeSet([80...80]), negated: false),
      ])
    let nat = parse.ruleset.tables[1]
    #expect(nat.chains.first { $0.name == "PREROUTING" }?.base == BaseChain(type: .nat, hook: .prerouting, priority: -100, policy: .accept))
    let dnat = try #require(nat.chains.first { $0.name == "DOCKER" }?.rules[1])
    #expect(dnat.action == .dnat(address: IPv6Address(high: 0, low: 0xffff_ac11_0002), port: 80))
    #expect(nat.chains.first { $0.name == "PREROUTING" }?.rules[0].matches == [.destinationType(["local"], negated: false)])
    #expect(nat.chains.first { $0.name == "POSTROUTING" }?.rules[0].action == .continue)
  }

  @Test func ufwRulesMultiportRecentLimitAndLog() throws {
    let parse = IptablesSaveParser.parse(try FixtureFiles.bytes("firewall/ufw-like.iptables-nft-save"), family: .ipv4)
    #expect(parse.report.unparsedCount == 0)
    let filter = try #require(parse.ruleset.tables.first)
    let user = try #require(filter.chains.first { $0.name == "ufw-user-input" })
    #expect(user.rules[1].matches == [.l4proto([6], negated: false), .destinationPort(PortRangeSet([80...80, 443...443]), negated: false)])
    #expect(user.rules[2].matches.first == .sourceAddress(try #require(AddressRangeSet.parse("10.0.0.0/8")), negated: false))
    let limited = user.rules[6]
    #expect(limited.action == .jump("ufw-user-limit"))
    #expect(limited.matches.contains(.unknown("-m recent --update --seconds 30 --hitcount 6 --name DEFAULT --mask 255.255.255.255 --rsource")))
    let logging = try #require(filter.chains.first { $0.name == "ufw-after-logging-input" }?.rules.first)
    #expect(logging.action == .continue)
    #expect(logging.matches == [.unknown("-m limit --limit 3/min --limit-burst 10")])
    #expect(filter.chains.first { $0.name == "ufw-user-limit" }?.rules.last?.action == .reject)
  }

  @Test func kubeProxyCaptureReadsEveryRule() throws {
    let bytes = try FixtureFiles.bytes("firewall/kube-proxy-1000.iptables-legacy-save")
    let parse = IptablesSaveParser.parse(bytes, family: .ipv4)
    #expect(parse.report.unparsedCount == 0)
    let appended = String(decoding: bytes, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("-A ") }.count
    #expect(parse.ruleset.ruleCount == appended)
    let statistic = parse.ruleset.tables.flatMap(\.chains).flatMap(\.rules).filter { $0.text.contains("-m statistic") }
    #expect(!statistic.isEmpty && statistic.allSatisfy { rule in rule.matches.contains { if case .unknown = $0 { true } else { false } } })
  }

  @Test func malformedLinesAreReportedWithTheirLineNumbers() {
    let text = """
      # Warning: iptables-legacy tables present, use iptables-legacy-save to see them
      *filter
      :INPUT DROP [0:0]
      :INPUT2 BOGUS
      -A INPUT -p tcp --dport
      -A NOPE -j ACCEPT
      -A INPUT -s 10.0.0.300/8 -j ACCEPT
      what is this
      -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
      -A INPUT -j NFQUEUE --queue-num 1
      COMMIT

      """
    let parse = IptablesSaveParser.parse(Array(text.utf8), family: .ipv4)
    #expect(parse.report.unparsed.map(\.lineNumber) == [5, 6, 7, 8])
    #expect(parse.report.notes.contains("Warning: iptables-legacy tables present, use iptables-legacy-save to see them"))
    let input = parse.ruleset.tables.first?.chains.first { $0.name == "INPUT" }
    // The unreadable rules stay where they were, as unknown: a verdict that meets them is uncertain.
    #expect(input?.rules.count == 4)
    #expect(input?.rules.map(\.position) == [0, 1, 2, 3])
    if case .unknown = input?.rules[0].action {} else { Issue.record("an unreadable rule keeps an unknown action") }
    #expect(input?.rules[2].action == .accept)
    if case .unknown(let what) = input?.rules[3].action { #expect(what.contains("NFQUEUE")) } else { Issue.record("NFQUEUE is unknown") }
    // A chain declared with a policy that is no policy is an ordinary chain.
    #expect(parse.ruleset.tables.first?.chains.first { $0.name == "INPUT2" }?.base == nil)
  }

  @Test func ip6tablesAddressesAndRanges() throws {
    let text = """
      *filter
      :INPUT DROP [0:0]
      -A INPUT -s fc00::/7 -p tcp -m multiport --dports 5432,6000:6010 -j ACCEPT
      -A INPUT -m iprange --src-range 2001:db8::1-2001:db8::9 -p udp --dport 53 -j ACCEPT
      COMMIT
      """
    let parse = IptablesSaveParser.parse(Array(text.utf8), family: .ipv6)
    #expect(parse.report.unparsedCount == 0)
    let rules = try #require(parse.ruleset.tables.first?.chains.first?.rules)
    #expect(parse.ruleset.tables.first?.family == .ip6)
    #expect(rules[0].matches[2] == .destinationPort(PortRangeSet([5432...5432, 6000...6010]), negated: false))
    let evaluator = FirewallEvaluator(
      ruleset: parse.ruleset, hostAddresses: [InterfaceAddress(interface: "eth0", address: .parse("2001:db8::100"), prefixLength: 64)])
    let verdicts = evaluator.verdicts(proto: .tcp, bind: .wildcard(.ipv6), port: 6005, v6Only: true)
    #expect(verdicts.first { $0.source == .anywhere }?.verdict.acceptedSources == ["fc00::/7"])
    #expect(verdicts.first { $0.source == .uniqueLocal }?.verdict.kind == .accept)
    let dns = evaluator.verdicts(proto: .udp, bind: .wildcard(.ipv6), port: 53, v6Only: true)
    #expect(dns.first { $0.source == .anywhere }?.verdict.acceptedSources == ["2001:db8::1/128", "2001:db8::2/127", "2001:db8::4/126", "2001:db8::8/127"])
  }
}
