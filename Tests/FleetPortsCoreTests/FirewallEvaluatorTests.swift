import FleetPortsCore
import Testing

/// Verdicts on the real rulesets of Fixtures/firewall/, for the host of capture.sh's connection
/// test (fpfw-srv: eth0 10.99.0.2/24 and 198.51.100.2/24, docker0 172.17.0.1/16). Where a verdict
/// was also measured with a real TCP connect (Fixtures/firewall/connections.tsv), the test says so.
@Suite struct FirewallEvaluatorTests {
  static let host: [InterfaceAddress] = [
    InterfaceAddress(interface: "lo", address: .ipv4(IPv4Address(127, 0, 0, 1)), prefixLength: 8),
    InterfaceAddress(interface: "eth0", address: .ipv4(IPv4Address(10, 99, 0, 2)), prefixLength: 24),
    InterfaceAddress(interface: "eth0", address: .ipv4(IPv4Address(198, 51, 100, 2)), prefixLength: 24),
    InterfaceAddress(interface: "docker0", address: .ipv4(IPv4Address(172, 17, 0, 1)), prefixLength: 16),
  ]

  static func evaluator(_ file: String, iptables: Bool = false, host: [InterfaceAddress] = host) throws -> FirewallEvaluator {
    let bytes = try FixtureFiles.bytes("firewall/\(file)")
    let parse = iptables ? IptablesSaveParser.parse(bytes, family: .ipv4) : try NftJSONParser.parse(bytes)
    #expect(parse.report.unparsedCount == 0, "\(file): \(parse.report.unparsed)")
    return FirewallEvaluator(ruleset: parse.ruleset, hostAddresses: host)
  }

  static func verdicts(
    _ evaluator: FirewallEvaluator, _ proto: SocketProtocol = .tcp, _ bind: String = "0.0.0.0", port: UInt16
  ) -> [SourceClass: FirewallVerdict] {
    let list = evaluator.verdicts(proto: proto, bind: HostAddress.parse(Substring(bind)), port: port)
    return Dictionary(list.map { ($0.source, $0.verdict) }, uniquingKeysWith: { first, _ in first })
  }

  @Test func debianDefaultAcceptsEverythingAsNoRules() throws {
    let evaluator = try Self.evaluator("debian-default.nft.json")
    let verdicts = Self.verdicts(evaluator, port: 5432)
    #expect(verdicts[.anywhere]?.kind == .noRules)
    #expect(Set(verdicts.keys) == [.anywhere, .private10, .private172, .private192])
    #expect(Self.verdicts(evaluator, .tcp, "::", port: 22).keys.contains(.uniqueLocal))
  }

  /// Real connects agree: 22, 443, 5432 from 10.99.0.1 accepted; 6379 and 5432 from 198.51.100.1 dropped.
  @Test func policyDropAllowsTwoPortsAndRestrictsPostgresToTheNamedSet() throws {
    let evaluator = try Self.evaluator("policy-drop.nft.json")
    let ssh = Self.verdicts(evaluator, port: 22)
    #expect(ssh[.anywhere]?.kind == .accept)
    #expect(ssh[.anywhere]?.rule?.text == "tcp dport { 22, 443 } counter accept")
    #expect(ssh[.anywhere]?.rule?.position == 4 && ssh[.anywhere]?.rule?.chain == "input" && ssh[.anywhere]?.rule?.table == "filter")
    #expect(Self.verdicts(evaluator, port: 443)[.anywhere]?.kind == .accept)
    let postgres = Self.verdicts(evaluator, port: 5432)
    #expect(postgres[.anywhere]?.kind == .restricted)
    #expect(postgres[.anywhere]?.acceptedSources == ["10.0.0.0/8"])
    #expect(postgres[.anywhere]?.rule?.text == "tcp dport 5432 ip saddr @admin_nets accept")
    #expect(postgres[.anywhere]?.deniedBy?.text == "policy drop")
    #expect(postgres[.private10]?.kind == .accept)
    #expect(postgres[.private192]?.kind == .drop)
    let redis = Self.verdicts(evaluator, port: 6379)
    #expect(redis[.anywhere]?.kind == .drop)
    #expect(redis[.anywhere]?.rule == FirewallRuleReference(family: .inet, table: "filter", chain: "input", position: nil, text: "policy drop"))
    let dns = Self.verdicts(evaluator, .udp, "0.0.0.0", port: 53)
    #expect(dns[.anywhere]?.kind == .restricted && dns[.anywhere]?.acceptedSources == ["192.168.0.0/16"])
    #expect(dns[.private192]?.kind == .accept)
    // A dual-stack listener: IPv6 has no admin_nets entry, so 5432 is closed to fc00::/7.
    #expect(Self.verdicts(evaluator, .tcp, "::", port: 5432)[.uniqueLocal]?.kind == .drop)
  }

  /// Real connects agree: 22, 443 accepted; 5432, 6379 rejected (EHOSTUNREACH: admin-prohibited) on eth0 (zone public).
  @Test func firewalldZonesDecideByInterface() throws {
    var host = Self.host
    host.append(InterfaceAddress(interface: "eth1", address: .ipv4(IPv4Address(10, 1, 0, 2)), prefixLength: 24))
    let evaluator = try Self.evaluator("firewalld-like.nft.json", host: host)
    #expect(Self.verdicts(evaluator, port: 22)[.anywhere]?.kind == .accept)
    let postgres = Self.verdicts(evaluator, port: 5432)[.anywhere]
    #expect(postgres?.kind == .restricted)
    #expect(postgres?.acceptedInterfaces == ["eth1"])
    #expect(postgres?.rule?.chain == "filter_IN_internal_allow")
    #expect(postgres?.deniedBy?.text == "reject with icmpx")
    let redis = Self.verdicts(evaluator, port: 6379)[.anywhere]
    #expect(redis?.kind == .restricted && redis?.acceptedSources == ["10.0.0.0/8"] && redis?.acceptedInterfaces == ["eth1"])
    // Only eth0 (public): every non-allowed port is rejected by filter_INPUT's last rule.
    let single = try Self.evaluator("firewalld-like.nft.json")
    #expect(Self.verdicts(single, port: 5432)[.anywhere]?.kind == .reject)
    #expect(Self.verdicts(single, port: 5432)[.anywhere]?.rule?.position == 5)
  }

  /// Real connects agree: 22, 443, 5432 (from 10.99.0.1) and 2222 accepted; 6379, 8080 and 5432 from 198.51.100.1 dropped.
  @Test func ufwChainsGiveUserRulesTheirMeaning() throws {
    let evaluator = try Self.evaluator("ufw-like.iptables-nft-save", iptables: true)
    #expect(Self.verdicts(evaluator, port: 22)[.anywhere]?.kind == .accept)
    #expect(Self.verdicts(evaluator, port: 22)[.anywhere]?.rule?.text == "-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT")
    #expect(Self.verdicts(evaluator, port: 443)[.anywhere]?.kind == .accept)
    let postgres = Self.verdicts(evaluator, port: 5432)[.anywhere]
    #expect(postgres?.kind == .restricted && postgres?.acceptedSources == ["10.0.0.0/8"])
    #expect(postgres?.deniedBy?.text == "policy drop" && postgres?.deniedBy?.chain == "INPUT")
    let redis = Self.verdicts(evaluator, port: 6379)[.anywhere]
    #expect(redis?.kind == .drop && redis?.rule?.text == "-A ufw-user-input -p tcp -m tcp --dport 6379 -j DROP")
    #expect(Self.verdicts(evaluator, .udp, "0.0.0.0", port: 53)[.anywhere]?.kind == .accept)
    #expect(Self.verdicts(evaluator, port: 8080)[.anywhere]?.kind == .drop)
  }

  /// `ufw limit`: whether `-m recent --update --hitcount 6` holds depends on the source's history,
  /// so 2222 is uncertain (accept or reject), quoting the rule; a real first connect was accepted.
  @Test func anUnknownMatchThatDecidesMakesTheVerdictUncertainWithTheRuleQuoted() throws {
    let evaluator = try Self.evaluator("ufw-like.iptables-nft-save", iptables: true)
    let limited = try #require(Self.verdicts(evaluator, port: 2222)[.anywhere])
    #expect(limited.kind == .uncertain)
    #expect(limited.rule?.chain == "ufw-user-input")
    #expect(limited.rule?.text.contains("-m recent --update --seconds 30 --hitcount 6") == true)
    #expect(limited.reason.contains("-m recent"))
    // ufw's `-m limit … -j LOG` and `-m addrtype` rules are on every path but decide nothing: 22 stays confident.
    #expect(Self.verdicts(evaluator, port: 22)[.anywhere]?.kind == .accept)
    // The same ruleset through nft's JSON: `-m conntrack` is an `xt` match there, and it decides 5432.
    let json = try Self.evaluator("ufw-like.iptables-nft.nft.json")
    let viaJSON = try #require(Self.verdicts(json, port: 5432)[.anywhere])
    #expect(viaJSON.kind == .uncertain && viaJSON.reason.contains("xt match"))
  }

  /// Real connects agree (both backends): 22 accepted, 5432 dropped by INPUT's policy, 8080 reaches
  /// the container (172.17.0.2:80) from anywhere, 8443 only from 10.99.0.1 (DOCKER-USER).
  @Test(arguments: ["docker-like.iptables-legacy-save", "docker-like.iptables-nft-save"])
  func dockerPublishesPastTheInputDeny(file: String) throws {
    let evaluator = try Self.evaluator(file, iptables: true)
    #expect(Self.verdicts(evaluator, port: 22)[.anywhere]?.kind == .accept)
    let postgres = Self.verdicts(evaluator, port: 5432)[.anywhere]
    #expect(postgres?.kind == .drop && postgres?.rule?.text == "policy drop" && postgres?.rule?.chain == "INPUT")
    let published = try #require(Self.verdicts(evaluator, port: 8080)[.anywhere])
    #expect(published.kind == .accept)
    #expect(published.dnat.map(\.target) == ["172.17.0.2:80"])
    #expect(published.dnat.first?.rule.text == "-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80")
    #expect(published.rule?.chain == "DOCKER" && published.rule?.table == "filter" && published.rule?.position == 0)
    let userRestricted = try #require(Self.verdicts(evaluator, port: 8443)[.anywhere])
    #expect(userRestricted.kind == .restricted && userRestricted.acceptedSources == ["10.0.0.0/8"])
    #expect(userRestricted.deniedBy?.chain == "DOCKER-USER")
    #expect(Self.verdicts(evaluator, port: 8443)[.private10]?.kind == .accept)
  }

  /// The same Docker tables through `nft -j`: the DNAT target and the conntrack match are `xt`
  /// expressions without parameters, so the published port is uncertain, never a guess.
  @Test func dockerThroughNftJSONIsUncertainWhereTheCompatExpressionsDecide() throws {
    let evaluator = try Self.evaluator("docker-like.iptables-nft.nft.json")
    let published = try #require(Self.verdicts(evaluator, port: 8080)[.anywhere])
    #expect(published.kind == .uncertain)
    #expect(published.reason.contains("xt"))
    #expect(Self.verdicts(evaluator, port: 22)[.anywhere]?.kind == .accept)
  }

  @Test func loopbackListenersGetNoVerdict() throws {
    let evaluator = try Self.evaluator("policy-drop.nft.json")
    #expect(evaluator.verdicts(proto: .tcp, bind: .ipv4(IPv4Address(127, 0, 0, 1)), port: 5432).isEmpty)
    #expect(evaluator.verdicts(proto: .raw, bind: .wildcard(.ipv4), port: 1).isEmpty)
  }
}
