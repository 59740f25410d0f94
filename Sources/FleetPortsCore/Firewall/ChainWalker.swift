/// The packet a walk asks about: a NEW connection's first packet, with what is known of it.
struct WalkPacket: Sendable {
  /// Where the packet is headed: the host's own addresses (a list), or, when they are not
  /// known, a set of ranges (every non-loopback address of the family).
  enum Destination: Sendable {
    case points([IPv6Address])
    case ranges(AddressRangeSet)
  }

  /// The output interface as the forward hook sees it: none on input, a name, or unknown.
  enum OutInterface: Sendable {
    case none
    case name(String)
    case unknown
  }

  var family: IPFamily
  var proto: UInt8
  var port: UInt16
  var destination: Destination
  var outInterface: OutInterface
  /// The destination is one of the host's addresses (`fib daddr type local`, `--dst-type LOCAL`).
  var destinationIsLocal: Bool
}

/// The part of the connection space one path through the chains covers: the sources and the
/// arrival interface classes still possible, the unknown matches assumed on the way, and whether
/// the connection was DNATed.
struct PathState: Sendable {
  struct Assumption: Sendable, Equatable {
    var rule: CompiledRuleset.RuleID
    var matched: Bool
    var what: String
  }

  var family: IPFamily
  var sources: AddressRangeSet
  var interfaces: UInt64
  var assumptions: [Assumption] = []
  var dnat = false

  func assuming(_ rule: CompiledRuleset.RuleID, _ matched: Bool, _ what: String) -> PathState {
    var copy = self
    copy.assumptions.append(Assumption(rule: rule, matched: matched, what: what))
    return copy
  }
}

/// How a path through a chain ends.
enum WalkEnd: Sendable {
  case accept(CompiledRuleset.RuleID?)
  case drop(CompiledRuleset.RuleID)
  case reject(CompiledRuleset.RuleID)
  case uncertain(CompiledRuleset.RuleID?, String)
  case dnat(address: IPv6Address?, port: UInt16?, CompiledRuleset.RuleID)
  case redirect(port: UInt16?, CompiledRuleset.RuleID)
  /// Off the end of the chain, or `return`: back to the caller (or the base chain's policy).
  case fellThrough
}

/// Walks chains for one packet: rules in order, jumps, gotos and returns followed to a depth
/// bound, every path split where a source prefix or an interface decides, and both ways where
/// an unknown match does (the assumption is recorded). The number of paths is bounded too.
struct ChainWalker {
  static let depthLimit = 32
  static let pathLimit = 4096
  /// Rule visits per packet. Paths only count splits: chains that jump twice to the next one
  /// (a hostile ruleset) would otherwise be walked 2^32 times without a single split.
  static let stepLimit = 1_000_000

  let compiled: CompiledRuleset
  let packet: WalkPacket
  private(set) var paths = 0
  private(set) var steps = 0

  init(compiled: CompiledRuleset, packet: WalkPacket) {
    self.compiled = compiled
    self.packet = packet
  }

  mutating func walk(chain: Int, state: PathState, depth: Int) -> [(PathState, WalkEnd)] {
    var active = [state]
    var ends: [(PathState, WalkEnd)] = []
    for (index, rule) in compiled.chains[chain].rules.enumerated() {
      if active.isEmpty { break }
      let id = CompiledRuleset.RuleID(chain: chain, rule: index)
      steps += active.count
      if steps > ChainWalker.stepLimit {
        let reason = "more than \(ChainWalker.stepLimit) rule visits through the chains"
        return ends + active.map { ($0, .uncertain(id, reason)) }
      }
      let step = take(rule.matches, rule.action, from: active, id: id, depth: depth)
      ends += step.ends
      // Past a rule: the paths it did not match and those its action let go on, in path order.
      active = step.onward.map(\.state)
      if paths > ChainWalker.pathLimit {
        let reason = "more than \(ChainWalker.pathLimit) paths through the chains"
        return ends + active.map { ($0, .uncertain(id, reason)) }
      }
    }
    return ends + active.map { ($0, .fellThrough) }
  }

  private mutating func perform(
    _ action: CompiledRuleset.Action, _ state: PathState, id: CompiledRuleset.RuleID, depth: Int
  ) -> (continuing: [PathState], ends: [(PathState, WalkEnd)]) {
    switch action {
    case .continue: return ([state], [])
    case .accept: return ([], [(state, .accept(id))])
    case .drop: return ([], [(state, .drop(id))])
    case .reject: return ([], [(state, .reject(id))])
    case .return: return ([], [(state, .fellThrough)])
    case .dnat(let address, let port): return ([], [(state, .dnat(address: address, port: port, id))])
    case .redirect(let port): return ([], [(state, .redirect(port: port, id))])
    case .unknown(let text): return ([], [(state, .uncertain(id, text))])
    case .jump(let target), .goto(let target):
      guard depth < ChainWalker.depthLimit else {
        return ([], [(state, .uncertain(id, "jumps nested deeper than \(ChainWalker.depthLimit) chains"))])
      }
      let results = walk(chain: target, state: state, depth: depth + 1)
      if case .goto = action { return ([], results) }
      var continuing: [PathState] = []
      var ends: [(PathState, WalkEnd)] = []
      for (state, end) in results {
        if case .fellThrough = end { continuing.append(state) } else { ends.append((state, end)) }
      }
      return (continuing, ends)
    case .verdictMap(let entries):
      var remaining = [state]
      var continuing: [PathState] = []
      var ends: [(PathState, WalkEnd)] = []
      for entry in entries {
        // An entry's matched paths leave the map; the others try the next entry.
        let step = take(entry.matches, entry.action, from: remaining, id: id, depth: depth)
        continuing += step.onward.filter(\.matched).map(\.state)
        ends += step.ends
        remaining = step.onward.filter { !$0.matched }.map(\.state)
      }
      return (continuing + remaining, ends)
    }
  }

  /// One rule (or verdict-map entry) applied to `states`: in path order, the paths that go on
  /// past it (`matched` false: its matches left them out; true: its action let them go on), and
  /// the paths its action ended.
  private mutating func take(
    _ matches: [RuleMatch], _ action: CompiledRuleset.Action, from states: [PathState], id: CompiledRuleset.RuleID, depth: Int
  ) -> (onward: [(state: PathState, matched: Bool)], ends: [(PathState, WalkEnd)]) {
    var onward: [(state: PathState, matched: Bool)] = []
    var ends: [(PathState, WalkEnd)] = []
    for current in states {
      guard let (matched, unmatched) = apply(matches, current, id: id) else {
        onward.append((current, false))
        continue
      }
      onward += unmatched.map { ($0, false) }
      for state in matched {
        let result = perform(action, state, id: id, depth: depth)
        onward += result.continuing.map { ($0, true) }
        ends += result.ends
      }
    }
    return (onward, ends)
  }

  private enum Truth {
    case yes
    case no
    case split
    case unknown(String)
  }

  /// Nil when the rule cannot match any packet of `state`; otherwise the parts of `state` it
  /// matches and the parts it does not (both may be several, and may carry a new assumption).
  private mutating func apply(_ matches: [RuleMatch], _ state: PathState, id: CompiledRuleset.RuleID) -> ([PathState], [PathState])? {
    var unknown: String?
    var splits = false
    for match in matches {
      switch truth(match, state) {
      case .yes: continue
      case .no: return nil
      case .split: splits = true
      case .unknown(let what): if unknown == nil { unknown = what }
      }
    }
    var matched = [state]
    var unmatched: [PathState] = []
    if splits {
      for match in matches {
        var next: [PathState] = []
        for current in matched {
          guard let (inside, outside) = split(match, current) else {
            next.append(current)
            continue
          }
          if let inside { next.append(inside) }
          if let outside { unmatched.append(outside) }
        }
        matched = next
      }
    }
    if let unknown {
      unmatched += matched.map { $0.assuming(id, false, unknown) }
      matched = matched.map { $0.assuming(id, true, unknown) }
    }
    paths += matched.count + unmatched.count - 1
    if matched.isEmpty && unmatched.count == 1 && unknown == nil { return nil }
    return (matched, unmatched)
  }

  private func truth(_ match: RuleMatch, _ state: PathState) -> Truth {
    func decide(_ holds: Bool, _ negated: Bool) -> Truth { holds != negated ? .yes : .no }
    switch match {
    case .family(let family): return family == packet.family ? .yes : .no
    case .l4proto(let set, let negated): return decide(set.contains(packet.proto), negated)
    case .destinationPort(let set, let negated): return decide(set.contains(packet.port), negated)
    case .sourcePort(let set, let negated):
      if set.ranges == [0...65535] { return decide(true, negated) }
      return .unknown((negated ? "not " : "") + "source port \(set) (the client picks it)")
    case .sourceAddress: return .split
    case .inputInterface(let patterns, let negated):
      guard compiled.interfaces.mask(patterns) != nil else {
        return .unknown((negated ? "not " : "") + "input interface " + patterns.map(\.description).joined(separator: ", "))
      }
      return .split
    case .outputInterface(let patterns, let negated):
      switch packet.outInterface {
      case .none: return decide(false, negated)
      case .name(let name): return decide(patterns.contains { $0.matches(name) }, negated)
      case .unknown:
        return .unknown((negated ? "not " : "") + "output interface " + patterns.map(\.description).joined(separator: ", "))
      }
    case .conntrackState(let states, let negated):
      return decide(states.contains("new") || (state.dnat && states.contains("dnat")), negated)
    case .conntrackStatus(let statuses, let negated):
      return decide(state.dnat && statuses.contains("dnat"), negated)
    case .destinationType(let types, let negated):
      let holds = types.contains("unicast") || (packet.destinationIsLocal && types.contains("local"))
      return decide(holds, negated)
    case .destinationAddress(let set, let negated):
      switch packet.destination {
      case .points(let points):
        let inside = points.filter(set.contains).count
        if inside == points.count { return decide(true, negated) }
        if inside == 0 { return decide(false, negated) }
        return .unknown("destination address " + (negated ? "not " : "") + set.description + " (some of the host's addresses)")
      case .ranges(let ranges):
        if ranges.isSubset(of: set) { return decide(true, negated) }
        if ranges.isDisjoint(with: set) { return decide(false, negated) }
        return .unknown("destination address " + (negated ? "not " : "") + set.description + " (the host's addresses are not known)")
      }
    case .unknown(let text): return .unknown(text)
    }
  }

  /// The part of `state` a splitting match holds for and the part it does not; nil for a match
  /// that does not split.
  private func split(_ match: RuleMatch, _ state: PathState) -> (PathState?, PathState?)? {
    switch match {
    case .sourceAddress(let set, let negated):
      var inside = state
      inside.sources = state.sources.intersection(set)
      var outside = state
      outside.sources = state.sources.subtracting(set)
      let (yes, no) = negated ? (outside, inside) : (inside, outside)
      return (yes.sources.isEmpty ? nil : yes, no.sources.isEmpty ? nil : no)
    case .inputInterface(let patterns, let negated):
      guard let mask = compiled.interfaces.mask(patterns) else { return nil }
      var inside = state
      inside.interfaces = state.interfaces & mask
      var outside = state
      outside.interfaces = state.interfaces & ~mask
      let (yes, no) = negated ? (outside, inside) : (inside, outside)
      return (yes.interfaces == 0 ? nil : yes, no.interfaces == 0 ? nil : no)
    default:
      return nil
    }
  }
}
