/// Judges what a host's packet filter does to a NEW connection to one of its listeners, from
/// each source class, arriving on a non-loopback interface. Pure: the ruleset and the host's
/// interface addresses in, verdicts out.
///
/// The path (docs/firewall.md): prerouting filter chains; prerouting NAT chains (a DNAT or
/// redirect rewrites the destination); then the input hook's filter chains for a connection to the
/// host, or the forward hook's for one DNATed elsewhere (a published container port). Within a
/// hook, every base chain of a family that sees the packet (`inet` sees both) runs in priority
/// order; an accept goes on to the next, a drop or reject ends it, the policy decides what falls
/// off the end. Source prefixes and interfaces split the path; an unknown match is followed both
/// ways and makes the verdict `uncertain` only when the two ways end differently.
///
/// Build one per host (the ruleset is compiled once: chains indexed, jumps resolved, interfaces
/// grouped) and ask it for every listener.
public struct FirewallEvaluator: Sendable {
  let compiled: CompiledRuleset
  let hostAddresses: [InterfaceAddress]
  let isEmpty: Bool

  /// `hostAddresses` are the host's interface addresses (`ip addr`): the destinations of a
  /// wildcard listener, the interfaces a connection may arrive on, and the route to a DNAT target.
  /// Container bridges and their veths (`ArrivalInterfaces.isContainerSide`) are where containers'
  /// own traffic arrives, not outside sources', so they are not taken as arrival interfaces.
  public init(ruleset: FirewallRuleset, hostAddresses: [InterfaceAddress]) {
    compiled = CompiledRuleset(ruleset, interfaceNames: ArrivalInterfaces.names(hostAddresses.map(\.interface)))
    self.hostAddresses = hostAddresses
    isEmpty = ruleset.isEmpty
  }

  /// The verdicts for a listener, one per source class that has addresses in the listener's
  /// families (`fc00::/7` only for IPv6, the private IPv4 ranges only for IPv4). Empty for a
  /// listener without a port or IP transport, or bound to loopback (no connection from outside
  /// reaches it).
  public func verdicts(for listener: Listener) -> [SourceVerdict] {
    guard listener.proto.hasPorts, let port = listener.port, let local = listener.socket.local else { return [] }
    return verdicts(proto: listener.proto, bind: local.address, port: port, v6Only: listener.socket.ipv6Only)
  }

  /// The verdicts for a listener on `bind`:`port` (`0.0.0.0`, `::`, `*` or an address). An IPv6
  /// wildcard is dual-stack unless `v6Only` is true, as `ListenerReach` takes it.
  public func verdicts(proto: SocketProtocol, bind: HostAddress, port: UInt16, v6Only: Bool? = nil) -> [SourceVerdict] {
    guard let number = FirewallEvaluator.protocolNumber(proto) else { return [] }
    let families: [IPFamily]
    var destination: [IPFamily: [IPv6Address]] = [:]
    switch bind {
    case .wildcard(.ipv4): families = [.ipv4]
    case .wildcard(.ipv6): families = v6Only == true ? [.ipv6] : [.ipv4, .ipv6]
    case .wildcard(nil): families = [.ipv4, .ipv6]
    case .ipv4(let v4, _), .ipv4Mapped(let v4):
      guard ListenerReach.reach(of: v4) != .loopback else { return [] }
      families = [.ipv4]
      destination[.ipv4] = [FirewallEvaluator.mapped(v4)]
    case .ipv6(let v6, _):
      guard !v6.isLoopback else { return [] }
      families = [.ipv6]
      destination[.ipv6] = [v6]
    case .text:
      families = [.ipv4, .ipv6]
    }
    var leaves: [Leaf] = []
    for family in families {
      let target = destination[family].map(WalkPacket.Destination.points) ?? hostDestination(family)
      leaves += evaluate(family: family, proto: number, port: port, destination: target)
    }
    var result: [SourceVerdict] = []
    for source in SourceClass.allCases {
      var region: [IPFamily: AddressRangeSet] = [:]
      for family in families { region[family] = source.addresses(family) }
      guard !region.isEmpty else { continue }
      result.append(SourceVerdict(source: source, verdict: summarize(leaves, region: region)))
    }
    return result
  }

  static func protocolNumber(_ proto: SocketProtocol) -> UInt8? {
    switch proto {
    case .tcp, .mptcp: return 6
    case .udp: return 17
    case .sctp: return 132
    case .dccp: return 33
    case .raw, .unix, .other, .unknown: return nil
    }
  }

  static func mapped(_ v4: IPv4Address) -> IPv6Address { IPv6Address(high: 0, low: 0xffff_0000_0000 | UInt64(v4.value)) }

  static func address(_ host: HostAddress) -> IPv6Address? {
    switch host {
    case .ipv4(let v4, _), .ipv4Mapped(let v4): return mapped(v4)
    case .ipv6(let v6, _): return v6
    case .wildcard, .text: return nil
    }
  }

  /// The host's non-loopback addresses of `family`; every non-loopback address when none is known.
  func hostDestination(_ family: IPFamily) -> WalkPacket.Destination {
    let points = hostAddresses.filter { $0.address.family == family && $0.interface != "lo" }.compactMap { FirewallEvaluator.address($0.address) }
      .filter { $0.mappedIPv4.map { ListenerReach.reach(of: $0) != .loopback } ?? !$0.isLoopback }
    if !points.isEmpty { return .points(points) }
    let loopback = AddressRangeSet.parse(family == .ipv4 ? "127.0.0.0/8" : "::1") ?? AddressRangeSet()
    return .ranges(AddressRangeSet.all(family).subtracting(loopback))
  }

  /// One end of the whole path: the part of the connection space it covers, how it ends, and the
  /// DNAT on the way.
  struct Leaf {
    var state: PathState
    var end: WalkEnd
    var dnat: DNATRewrite?
  }

  func evaluate(family: IPFamily, proto: UInt8, port: UInt16, destination: WalkPacket.Destination) -> [Leaf] {
    let packet = WalkPacket(
      family: family, proto: proto, port: port, destination: destination, outInterface: .none, destinationIsLocal: true)
    let start = PathState(family: family, sources: .all(family), interfaces: compiled.interfaces.all)
    var finals: [Leaf] = []
    // Prerouting filter chains (raw, mangle, nft filter chains on prerouting).
    var (pending, ended) = runHook(.prerouting, [start], packet: packet)
    finals += ended
    // Prerouting NAT: the first DNAT or redirect a path meets rewrites it.
    var rewritten: [(PathState, DNATRewrite, IPv6Address?, UInt16?)] = []
    for chain in compiled.baseChains(hook: .prerouting, type: .nat, family: family) {
      var next: [PathState] = []
      for state in pending {
        var walker = ChainWalker(compiled: compiled, packet: packet)
        for (state, end) in walker.walk(chain: chain, state: state, depth: 0) {
          switch end {
          case .fellThrough, .accept: next.append(state)
          case .dnat(let address, let newPort, let id):
            let text = address.map { $0.mappedIPv4?.description ?? $0.description }
            rewritten.append((state, DNATRewrite(address: text, port: newPort, rule: compiled.reference(id)), address, newPort))
          case .redirect(let newPort, let id):
            rewritten.append((state, DNATRewrite(address: nil, port: newPort, rule: compiled.reference(id)), nil, newPort))
          default: finals.append(Leaf(state: state, end: end))
          }
        }
      }
      pending = next
    }
    finals += runHook(.input, pending, packet: packet).ended
    for (state, rewrite, address, newPort) in rewritten {
      var state = state
      state.dnat = true
      var rewrittenPacket = packet
      rewrittenPacket.port = newPort ?? port
      let isLocal = address.map { target in hostAddresses.contains { FirewallEvaluator.address($0.address) == target } } ?? true
      let hook: ChainHook
      if let address, !isLocal {
        rewrittenPacket.destination = .points([address])
        rewrittenPacket.destinationIsLocal = false
        rewrittenPacket.outInterface = route(address).map(WalkPacket.OutInterface.name) ?? .unknown
        hook = .forward
      } else {
        if let address { rewrittenPacket.destination = .points([address]) }
        hook = .input
      }
      finals += runHook(hook, [state], packet: rewrittenPacket).ended.map { leaf in
        var leaf = leaf
        leaf.dnat = rewrite
        return leaf
      }
    }
    return finals
  }

  /// The interface whose prefix holds `address` (the longest prefix wins); nil when none does.
  func route(_ address: IPv6Address) -> String? {
    var best: (length: Int, name: String)?
    for entry in hostAddresses {
      guard let base = FirewallEvaluator.address(entry.address), let length = entry.prefixLength else { continue }
      let isV4 = base.mappedIPv4 != nil
      let range = AddressRangeSet.prefixRange(base, length: isV4 ? length + 96 : length)
      if range.contains(address), best.map({ length > $0.length }) ?? true { best = (length, entry.interface) }
    }
    return best?.name
  }

  /// Runs the filter base chains of `hook` in priority order: an accept (rule or policy) goes on
  /// to the next chain and, after the last, is the path's accept; anything else ends the path.
  func runHook(_ hook: ChainHook, _ states: [PathState], packet: WalkPacket) -> (passed: [PathState], ended: [Leaf]) {
    var pending = states.map { ($0, CompiledRuleset.RuleID?.none) }
    var ended: [Leaf] = []
    for chain in compiled.baseChains(hook: hook, type: .filter, family: packet.family) {
      var next: [(PathState, CompiledRuleset.RuleID?)] = []
      for (state, _) in pending {
        var walker = ChainWalker(compiled: compiled, packet: packet)
        for (state, end) in walker.walk(chain: chain, state: state, depth: 0) {
          switch end {
          case .accept(let id): next.append((state, id))
          case .fellThrough:
            let policy = CompiledRuleset.RuleID(chain: chain, rule: nil)
            if compiled.chains[chain].base?.policy == .drop {
              ended.append(Leaf(state: state, end: .drop(policy)))
            } else {
              next.append((state, policy))
            }
          case .dnat(_, _, let id), .redirect(_, let id):
            ended.append(Leaf(state: state, end: .uncertain(id, "a NAT statement in a filter chain")))
          default: ended.append(Leaf(state: state, end: end))
          }
        }
      }
      pending = next
    }
    if hook == .prerouting { return (pending.map(\.0), ended) }
    return ([], ended + pending.map { Leaf(state: $0.0, end: .accept($0.1)) })
  }
}
