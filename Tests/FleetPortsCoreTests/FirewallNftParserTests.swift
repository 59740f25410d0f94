import FleetPortsCore
import Testing

/// `nft -j list ruleset` as nftables 1.0.6 wrote it for the rulesets under Fixtures/firewall/
/// (capture.sh loads each into a network namespace of its own and reads it back).
@Suite struct FirewallNftParserTests {
  static func parse(_ name: String) throws -> FirewallParse {
    try NftJSONParser.parse(try FixtureFiles.bytes("firewall/\(name)"))
  }

  @Test func debianDefaultIsThreeEmptyBaseChainsThatAcceptEverything() throws {
    let parse = try Self.parse("debian-default.nft.json")
    #expect(parse.report.unparsedCount == 0)
    #expect(parse.report.notes.contains("nftables 1.0.6"))
    let table = try #require(parse.ruleset.tables.first)
    #expect(table.family == .inet && table.name == "filter" && table.backend == .nftables)
    #expect(table.chains.map(\.name) == ["input", "forward", "output"])
    #expect(table.chains.map { $0.base?.hook } == [.input, .forward, .output])
    #expect(table.chains.allSatisfy { $0.base?.policy == .accept && $0.base?.type == .filter && $0.rules.isEmpty })
    #expect(parse.ruleset.isEmpty)
  }

  @Test func policyDropRulesetReadsEveryMatchItUses() throws {
    let parse = try Self.parse("policy-drop.nft.json")
    #expect(parse.report.unparsedCount == 0)
    let table = try #require(parse.ruleset.tables.first)
    let set = try #require(table.sets.first)
    #expect(set.name == "admin_nets" && set.keyType == ["ipv4_addr"] && set.flags == ["interval"])
    #expect(set.elements == [.addresses(try #require(AddressRangeSet.parse("10.0.0.0/8")))])
    let input = try #require(table.chains.first { $0.name == "input" })
    #expect(input.base == BaseChain(type: .filter, hook: .input, priority: 0, policy: .drop))
    let rules = input.rules
    #expect(rules.count == 8)
    #expect(rules[0].matches == [.conntrackState(["established", "related"], negated: false)])
    #expect(rules[0].action == .accept)
    #expect(rules[0].text == "ct state established,related accept")
    #expect(rules[2].matches == [.inputInterface([InterfacePattern("lo")], negated: false)])
    #expect(rules[2].text == "iifname \"lo\" accept")
    #expect(rules[3].matches == [.l4proto([1, 58], negated: false)])
    #expect(rules[4].matches == [.l4proto([6], negated: false), .destinationPort(PortRangeSet([22...22, 443...443]), negated: false)])
    #expect(rules[4].text == "tcp dport { 22, 443 } counter accept")
    // The named set resolved into its prefixes; `ip saddr` brings its IPv4 dependency.
    #expect(
      rules[5].matches == [
        .l4proto([6], negated: false), .destinationPort(PortRangeSet([5432...5432]), negated: false), .family(.ipv4),
        .sourceAddress(try #require(AddressRangeSet.parse("10.0.0.0/8")), negated: false),
      ])
    #expect(rules[5].text == "tcp dport 5432 ip saddr @admin_nets accept")
    #expect(rules[6].matches.contains(.sourceAddress(try #require(AddressRangeSet.parse("192.168.0.0/16")), negated: false)))
    #expect(rules[7].action == .continue)
    #expect(rules.map(\.position) == Array(0..<8))
    #expect(rules[4].handle != nil)
  }

  @Test func iptablesNftRulesShowTheirCompatMatchesAsUnknown() throws {
    let parse = try Self.parse("docker-like.iptables-nft.nft.json")
    #expect(parse.report.unparsedCount == 0)
    let filter = try #require(parse.ruleset.tables.first { $0.name == "filter" })
    let input = try #require(filter.chains.first { $0.name == "INPUT" })
    #expect(input.rules[1].matches == [.unknown("xt match conntrack")])
    let nat = try #require(parse.ruleset.tables.first { $0.name == "nat" })
    let docker = try #require(nat.chains.first { $0.name == "DOCKER" })
    // The DNAT target's address is not in the JSON: an unknown action, never a guessed one.
    guard case .unknown(let text) = docker.rules[1].action else {
      Issue.record("expected an unknown action, got \(docker.rules[1].action)")
      return
    }
    #expect(text.hasPrefix("xt target DNAT"))
    #expect(docker.rules[1].matches.first == .inputInterface([InterfacePattern("docker0")], negated: true))
    let user = try #require(filter.chains.first { $0.name == "DOCKER-USER" })
    #expect(user.rules[0].matches.contains(.sourceAddress(try #require(AddressRangeSet.parse("10.0.0.0/8")), negated: true)))
  }

  @Test func firewalldZonesAreChainsReachedByGotoOnTheInputInterface() throws {
    let parse = try Self.parse("firewalld-like.nft.json")
    #expect(parse.report.unparsedCount == 0)
    let table = try #require(parse.ruleset.tables.first)
    let input = try #require(table.chains.first { $0.name == "filter_INPUT" })
    #expect(input.base?.priority == 10)
    #expect(input.rules[1].matches == [.conntrackStatus(["dnat"], negated: false)])
    #expect(input.rules.last?.action == .reject)
    let zones = try #require(table.chains.first { $0.name == "filter_INPUT_ZONES" })
    #expect(zones.rules.map(\.action) == [.goto("filter_IN_internal"), .goto("filter_IN_public")])
    #expect(zones.rules[0].matches == [.inputInterface([InterfacePattern("eth1")], negated: false)])
  }

  @Test func notJSONIsATypedErrorAndStrangeObjectsGoToTheReport() throws {
    #expect(throws: FirewallParseError.self) { try NftJSONParser.parse(Array("table inet filter {".utf8)) }
    #expect(throws: FirewallParseError.self) { try NftJSONParser.parse(Array("[1, 2]".utf8)) }
    let text = #"{"nftables": [7, {"rule": {"family": "ip", "table": "x", "chain": "y", "expr": []}}, {"flowtable": {}}]}"#
    let parse = try NftJSONParser.parse(Array(text.utf8))
    #expect(parse.report.unparsedCount == 2)
    #expect(parse.report.unparsed.map(\.lineNumber) == [0, 1])
    #expect(parse.ruleset.tables.isEmpty)
  }
}
