/// A ruleset prepared once for many evaluations: every chain in one array, jump and goto targets
/// resolved to indexes within their table, base chains grouped by hook in priority order, and the
/// host's interfaces grouped into classes the rules cannot tell apart.
struct CompiledRuleset: Sendable {
  struct Chain: Sendable {
    var table: Int
    var name: String
    var family: FirewallFamily
    var base: BaseChain?
    var rules: [Rule]
  }

  struct Rule: Sendable {
    var matches: [RuleMatch]
    var action: Action
    var position: Int
  }

  indirect enum Action: Sendable {
    case `continue`, accept, drop, reject, `return`
    case jump(Int)
    case goto(Int)
    case dnat(address: IPv6Address?, port: UInt16?)
    case redirect(port: UInt16?)
    case verdictMap([(matches: [RuleMatch], action: Action)])
    case unknown(String)
  }

  /// Where a rule is: chain index and rule index (nil: the chain's policy).
  struct RuleID: Hashable, Sendable {
    var chain: Int
    var rule: Int?
  }

  let ruleset: FirewallRuleset
  var chains: [Chain] = []
  let interfaces: InterfaceClasses

  init(_ ruleset: FirewallRuleset, interfaceNames: [String]) {
    self.ruleset = ruleset
    var patterns: Set<InterfacePattern> = []
    var offset = 0
    for (tableIndex, table) in ruleset.tables.enumerated() {
      var index: [String: Int] = [:]
      for (chainIndex, chain) in table.chains.enumerated() where index[chain.name] == nil { index[chain.name] = offset + chainIndex }
      for chain in table.chains {
        let rules = chain.rules.map { rule in
          for match in rule.matches { if case .inputInterface(let list, _) = match { patterns.formUnion(list) } }
          if case .verdictMap(let entries) = rule.action {
            for entry in entries { for match in entry.matches { if case .inputInterface(let list, _) = match { patterns.formUnion(list) } } }
          }
          return Rule(matches: rule.matches, action: CompiledRuleset.compile(rule.action, index), position: rule.position)
        }
        chains.append(Chain(table: tableIndex, name: chain.name, family: table.family, base: chain.base, rules: rules))
      }
      offset += table.chains.count
    }
    interfaces = InterfaceClasses(names: interfaceNames, patterns: patterns)
  }

  static func compile(_ action: RuleAction, _ index: [String: Int]) -> Action {
    switch action {
    case .continue: return .continue
    case .accept: return .accept
    case .drop: return .drop
    case .reject: return .reject
    case .return: return .return
    case .jump(let name): return index[name].map(Action.jump) ?? .unknown("jump \(name): no such chain")
    case .goto(let name): return index[name].map(Action.goto) ?? .unknown("goto \(name): no such chain")
    case .dnat(let address, let port): return .dnat(address: address, port: port)
    case .redirect(let port): return .redirect(port: port)
    case .verdictMap(let entries): return .verdictMap(entries.map { ($0.matches, compile($0.action, index)) })
    case .unknown(let text): return .unknown(text)
    }
  }

  /// Base chains of `hook` and `type` that see packets of `family`, lowest priority first.
  func baseChains(hook: ChainHook, type: ChainType, family: IPFamily) -> [Int] {
    chains.indices.filter { index in
      guard let base = chains[index].base else { return false }
      return base.hook == hook && base.type == type && chains[index].family.applies(to: family)
    }.sorted { (chains[$0].base?.priority ?? 0, $0) < (chains[$1].base?.priority ?? 0, $1) }
  }

  func reference(_ id: RuleID) -> FirewallRuleReference {
    let chain = chains[id.chain]
    let table = ruleset.tables[chain.table]
    guard let rule = id.rule else {
      return FirewallRuleReference(
        family: table.family, table: table.name, chain: chain.name, position: nil, text: "policy \(chain.base?.policy.rawValue ?? "accept")")
    }
    let original = table.chains.first { $0.name == chain.name }?.rules[rule]
    return FirewallRuleReference(family: table.family, table: table.name, chain: chain.name, position: rule, text: original?.text ?? "?")
  }
}

/// The host's non-loopback interfaces grouped by which of the ruleset's interface patterns they
/// match: the walk keeps a bit per class, not per interface. Without known interfaces there is
/// one class, "an interface of unknown name", that only `lo` patterns are known not to match.
struct InterfaceClasses: Sendable {
  /// The interface names of each class.
  let names: [[String]]
  /// Known: the classes each pattern matches. Absent: unknown (no interface names known).
  private let masks: [InterfacePattern: UInt64]
  let isKnown: Bool

  init(names interfaceNames: [String], patterns: Set<InterfacePattern>) {
    let hostNames = Array(Set(interfaceNames.filter { $0 != "lo" })).sorted()
    let ordered = patterns.sorted { ($0.name, $0.isPrefix ? 1 : 0) < ($1.name, $1.isPrefix ? 1 : 0) }
    var classOf: [[Bool]: Int] = [:]
    var names: [[String]] = []
    for name in hostNames {
      let signature = ordered.map { $0.matches(name) }
      if let index = classOf[signature] {
        names[index].append(name)
      } else if names.count < 63 {
        classOf[signature] = names.count
        names.append([name])
      }
    }
    guard !names.isEmpty, classOf.count == Set(hostNames.map { name in ordered.map { $0.matches(name) } }).count else {
      self.names = [["(an interface of unknown name)"]]
      masks = [:]
      isKnown = false
      return
    }
    var masks: [InterfacePattern: UInt64] = [:]
    for pattern in ordered {
      var mask: UInt64 = 0
      for (index, members) in names.enumerated() where members.first.map(pattern.matches) ?? false { mask |= 1 << UInt64(index) }
      masks[pattern] = mask
    }
    self.names = names
    self.masks = masks
    isKnown = true
  }

  var all: UInt64 { names.count >= 64 ? .max : (1 << UInt64(names.count)) - 1 }

  /// The classes any of `patterns` matches; nil when that is not known.
  func mask(_ patterns: [InterfacePattern]) -> UInt64? {
    var result: UInt64 = 0
    for pattern in patterns {
      if !isKnown {
        // Only loopback is known not to be the arrival interface.
        if pattern.matches("lo") && !pattern.isPrefix { continue }
        return nil
      }
      result |= masks[pattern] ?? 0
    }
    return result
  }

  func describe(_ mask: UInt64) -> [String] {
    names.indices.filter { mask & (1 << UInt64($0)) != 0 }.flatMap { names[$0] }
  }
}
