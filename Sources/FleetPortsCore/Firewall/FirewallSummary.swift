extension FirewallEvaluator {
  /// Folds the path ends that fall in `region` (per family) into one verdict: uncertain when an
  /// unknown part decides (two ends that overlap disagree) or a path ends on something not
  /// understood; accept, drop or reject when every end agrees; restricted when some sources or
  /// interfaces are accepted and the rest are not.
  func summarize(_ leaves: [Leaf], region: [IPFamily: AddressRangeSet]) -> FirewallVerdict {
    if isEmpty { return FirewallVerdict(kind: .noRules, rule: nil, reason: "the ruleset is empty: every connection is accepted") }
    var relevant: [Leaf] = []
    for leaf in leaves {
      guard let part = region[leaf.state.family] else { continue }
      var leaf = leaf
      leaf.state.sources = leaf.state.sources.intersection(part)
      if !leaf.state.sources.isEmpty { relevant.append(leaf) }
    }
    let rewrites = relevant.compactMap(\.dnat).reduce(into: [DNATRewrite]()) { list, rewrite in
      if !list.contains(rewrite) { list.append(rewrite) }
    }
    let via = rewrites.isEmpty ? "" : "DNAT to " + rewrites.map(\.target).joined(separator: ", ") + " (" + rewrites[0].rule.described + "); then "
    func reference(_ id: CompiledRuleset.RuleID?) -> FirewallRuleReference? { id.map(compiled.reference) }
    for leaf in relevant {
      if case .uncertain(let id, let what) = leaf.end {
        let rule = reference(id)
        return FirewallVerdict(
          kind: .uncertain, rule: rule, dnat: rewrites, reason: via + "\(what), in " + (rule?.described ?? "the walk"))
      }
    }
    guard relevant.count <= 512 else {
      return FirewallVerdict(kind: .uncertain, rule: nil, dnat: rewrites, reason: via + "more than 512 distinct paths")
    }
    func category(_ end: WalkEnd) -> Int {
      if case .accept = end { return 0 }
      return 1
    }
    for i in relevant.indices {
      for j in relevant.indices where j > i && category(relevant[i].end) != category(relevant[j].end) {
        let a = relevant[i].state
        let b = relevant[j].state
        guard a.family == b.family, a.interfaces & b.interfaces != 0, !a.sources.isDisjoint(with: b.sources) else { continue }
        let split = zip(a.assumptions, b.assumptions).first { $0.0 != $0.1 }?.0 ?? a.assumptions.first ?? b.assumptions.first
        let rule = reference(split?.rule)
        return FirewallVerdict(
          kind: .uncertain, rule: rule, dnat: rewrites,
          reason: via + "depends on \(split?.what ?? "a match not understood"), which this model does not evaluate, in "
            + (rule?.described ?? "the walk"))
      }
    }
    let accepted = relevant.filter { category($0.end) == 0 }
    let denied = relevant.filter { category($0.end) == 1 }
    func deciding(_ leaf: Leaf) -> FirewallRuleReference? {
      switch leaf.end {
      case .accept(let id): return reference(id)
      case .drop(let id), .reject(let id): return reference(id)
      default: return nil
      }
    }
    if denied.isEmpty, let first = accepted.first {
      let rule = deciding(first)
      return FirewallVerdict(kind: .accept, rule: rule, dnat: rewrites, reason: via + "accepted by " + (rule?.described ?? "no chain on the path"))
    }
    if accepted.isEmpty, let first = denied.first {
      let allReject = denied.allSatisfy { if case .reject = $0.end { return true } else { return false } }
      let rule = deciding(first)
      return FirewallVerdict(
        kind: allReject ? .reject : .drop, rule: rule, dnat: rewrites,
        reason: via + (allReject ? "rejected by " : "dropped by ") + (rule?.described ?? "?"))
    }
    var sources = AddressRangeSet()
    var interfaces: UInt64 = 0
    for leaf in accepted {
      sources = sources.union(leaf.state.sources)
      interfaces |= leaf.state.interfaces
    }
    let names = interfaces == compiled.interfaces.all ? [] : compiled.interfaces.describe(interfaces)
    let rule = accepted.first.flatMap(deciding)
    let denial = denied.first.flatMap(deciding)
    return FirewallVerdict(
      kind: .restricted, rule: rule, acceptedSources: sources.prefixes, acceptedInterfaces: names, deniedBy: denial, dnat: rewrites,
      reason: via + "accepted only from \(sources.prefixes.joined(separator: ", "))" + (names.isEmpty ? "" : " on \(names.joined(separator: ", "))")
        + " by " + (rule?.described ?? "?") + "; the rest: " + (denial?.described ?? "?"))
  }
}
