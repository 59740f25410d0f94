import FleetPortsCore
import Testing

/// Firewall dumps come from the hosts: mutated real captures, random bytes, deep JSON and chain
/// loops neither crash nor hang the parsers or the evaluator.
@Suite struct FirewallHostileInputTests {
  static let files = [
    "policy-drop.nft.json", "firewalld-like.nft.json", "docker-like.iptables-nft.nft.json", "ufw-like.iptables-nft.nft.json",
    "ufw-like.iptables-nft-save", "docker-like.iptables-legacy-save", "docker-like.iptables-nft-save",
  ]

  static func exercise(_ bytes: [UInt8]) {
    var rulesets = [IptablesSaveParser.parse(bytes, family: .ipv4).ruleset, IptablesSaveParser.parse(bytes, family: .ipv6).ruleset]
    if let parse = try? NftJSONParser.parse(bytes) { rulesets.append(parse.ruleset) }
    for ruleset in rulesets {
      let evaluator = FirewallEvaluator(ruleset: ruleset, hostAddresses: FirewallEvaluatorTests.host)
      for port: UInt16 in [22, 5432, 8080] { _ = evaluator.verdicts(proto: .tcp, bind: .wildcard(.ipv6), port: port) }
    }
  }

  @Test func mutatedRealRulesets() throws {
    var generator = HostileInputTests.SeededGenerator(state: 19)
    let clock = ContinuousClock()
    let started = clock.now
    for file in Self.files {
      let original = try FixtureFiles.bytes("firewall/\(file)")
      for _ in 0..<12 {
        var bytes = original
        for _ in 0..<Int.random(in: 1...20, using: &generator) where !bytes.isEmpty {
          let index = Int.random(in: 0..<bytes.count, using: &generator)
          switch Int.random(in: 0..<4, using: &generator) {
          case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
          case 1: bytes.remove(at: index)
          case 2: bytes.insert(contentsOf: Array(#"{"[!-"#.utf8), at: index)
          default: bytes.removeSubrange(index..<min(bytes.count, index + 40))
          }
        }
        Self.exercise(bytes)
      }
    }
    #expect(clock.now - started < .seconds(20))
  }

  @Test func randomBytesAndDeepJSON() {
    var generator = HostileInputTests.SeededGenerator(state: 1919)
    for _ in 0..<40 {
      let alphabet = Array("*:-A !jJ{}[]\",@/0123456789.nftables-p tcp --dport -s COMMIT\n".utf8)
      let bytes = (0..<Int.random(in: 0..<4096, using: &generator)).map { _ in
        alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]
      }
      Self.exercise(bytes)
    }
    let deep = Array(("{\"nftables\": [" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "]}").utf8)
    Self.exercise(deep)
    let deepRule = #"{"nftables": [{"table": {"family": "ip", "name": "t"}}, {"chain": {"family": "ip", "table": "t", "name": "c"}}, "#
      + #"{"rule": {"family": "ip", "table": "t", "chain": "c", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "#
      + String(repeating: #"{"set": ["#, count: 2000) + String(repeating: "]}", count: 2000) + "}}]}}]}"
    Self.exercise(Array(deepRule.utf8))
  }

  @Test func chainLoopsAndPathExplosionsEndUncertain() {
    // A jumps to B, B back to A: iptables-restore refuses this, hostile input need not.
    var loop = "*filter\n:INPUT DROP [0:0]\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A A -j B\n-A B -j A\nCOMMIT\n"
    let looped = IptablesSaveParser.parse(Array(loop.utf8), family: .ipv4)
    let verdict = FirewallEvaluator(ruleset: looped.ruleset, hostAddresses: FirewallEvaluatorTests.host)
      .verdicts(proto: .tcp, bind: .wildcard(.ipv4), port: 22).first?.verdict
    #expect(verdict?.kind == .uncertain && verdict?.reason.contains("deeper than") == true)
    // 40 unknown matches in a row, each on a different source prefix: the path count is bounded.
    loop = "*filter\n:INPUT DROP [0:0]\n"
    for index in 0..<40 { loop += "-A INPUT -s 10.\(index).0.0/16 -m recent --rcheck -j ACCEPT\n-A INPUT -m limit -j DROP\n" }
    loop += "COMMIT\n"
    let clock = ContinuousClock()
    let started = clock.now
    let exploded = IptablesSaveParser.parse(Array(loop.utf8), family: .ipv4)
    let result = FirewallEvaluator(ruleset: exploded.ruleset, hostAddresses: FirewallEvaluatorTests.host)
      .verdicts(proto: .tcp, bind: .wildcard(.ipv4), port: 22)
    #expect(result.first?.verdict.kind == .uncertain)
    #expect(clock.now - started < .seconds(10))
  }

  @Test func chainsThatJumpTwiceToTheNextEndUncertainNotIn2To32Walks() {
    // 30 chains, each jumping twice to the next: no split, but 2^30 walks unbounded.
    var text = "*filter\n:INPUT DROP [0:0]\n"
    for index in 0..<30 { text += ":C\(index) - [0:0]\n" }
    text += "-A INPUT -j C0\n"
    for index in 0..<29 { text += "-A C\(index) -j C\(index + 1)\n-A C\(index) -j C\(index + 1)\n" }
    text += "COMMIT\n"
    let parsed = IptablesSaveParser.parse(Array(text.utf8), family: .ipv4)
    let clock = ContinuousClock()
    let started = clock.now
    let verdict = FirewallEvaluator(ruleset: parsed.ruleset, hostAddresses: FirewallEvaluatorTests.host)
      .verdicts(proto: .tcp, bind: .wildcard(.ipv4), port: 22).first?.verdict
    #expect(verdict?.kind == .uncertain && verdict?.reason.contains("rule visits") == true, "\(String(describing: verdict))")
    #expect(clock.now - started < .seconds(10))
  }
}
