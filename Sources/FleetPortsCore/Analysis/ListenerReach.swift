/// How far the network can reach a listener, from its bind address and the host's own
/// addresses. Ordered: `loopback` (= `containerNetwork`) < `linkLocal` < `privateNetwork` < `public`.
public enum ReachClass: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
  case loopback
  /// Inside a container's network namespace with no published port leading to it: reachable
  /// from the host and its other containers (the container bridge), not from the network.
  /// Ranks with `loopback`: nothing that judges network exposure counts it.
  case containerNetwork = "container-network"
  case linkLocal = "link-local"
  case privateNetwork = "private-network"
  case `public`

  private var rank: Int {
    switch self {
    case .loopback, .containerNetwork: return 0
    case .linkLocal: return 1
    case .privateNetwork: return 2
    case .public: return 3
    }
  }

  public static func < (lhs: ReachClass, rhs: ReachClass) -> Bool { lhs.rank < rhs.rank }
}

/// Classifies bind addresses. A wildcard bind reaches as far as the widest address the host
/// has in that family; an IPv6 wildcard is taken as dual-stack (both families) because
/// /proc/net cannot show IPV6_V6ONLY and assuming less would hide exposure.
public enum ListenerReach {
  /// The reach of one address on its own (no wildcard).
  public static func reach(of address: HostAddress) -> ReachClass? {
    switch address {
    case .wildcard, .text:
      return nil
    case .ipv4(let v4, _), .ipv4Mapped(let v4):
      return reach(of: v4)
    case .ipv6(let v6, _):
      if let mapped = v6.mappedIPv4 { return reach(of: mapped) }
      if v6.isLoopback { return .loopback }
      let top = UInt16(truncatingIfNeeded: v6.high >> 48)
      if top & 0xffc0 == 0xfe80 { return .linkLocal }
      if top & 0xfe00 == 0xfc00 { return .privateNetwork }  // ULA fc00::/7
      return .public
    }
  }

  public static func reach(of v4: IPv4Address) -> ReachClass {
    let a = v4.value >> 24
    let b = (v4.value >> 16) & 0xff
    if a == 127 { return .loopback }
    if a == 169 && b == 254 { return .linkLocal }
    if a == 10 || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168) { return .privateNetwork }
    if a == 100 && (64...127).contains(b) { return .privateNetwork }  // CGNAT 100.64.0.0/10
    return .public
  }

  /// The reach of a listener bound to `address` on a host with `hostAddresses`.
  /// With no known host addresses a wildcard is judged `public`: the safe assumption.
  public static func classify(_ address: HostAddress, hostAddresses: [InterfaceAddress], v6Only: Bool? = nil) -> ReachClass {
    assess(address, hostAddresses: hostAddresses, v6Only: v6Only).reach
  }

  /// The reach of a listener with the reasoning that led to it, for a finding's evidence.
  /// `0.0.0.0` is resolved against the host's IPv4 addresses only; `::` against both
  /// families unless `v6Only` is known to be true; ss's dual-stack `*` against both.
  public static func assess(_ address: HostAddress, hostAddresses: [InterfaceAddress], v6Only: Bool? = nil) -> ReachAssessment {
    guard case .wildcard(let family) = address else {
      if let reach = reach(of: address) {
        return ReachAssessment(reach: reach, basis: "bound to \(address)")
      }
      return ReachAssessment(reach: .public, basis: "bound to \(address), not an address literal: assumed public")
    }
    let families: Set<IPFamily>
    switch family {
    case .ipv4: families = [.ipv4]
    case .ipv6: families = v6Only == true ? [.ipv6] : [.ipv4, .ipv6]
    case nil: families = [.ipv4, .ipv6]
    }
    let familyText = families.count == 2 ? "IPv4 and IPv6" : (families.contains(.ipv4) ? "IPv4" : "IPv6")
    let candidates = hostAddresses.filter { entry in entry.address.family.map(families.contains) ?? false }
    guard !candidates.isEmpty else {
      return ReachAssessment(
        reach: .public, basis: "wildcard \(address) on a host with no known \(familyText) addresses: assumed public")
    }
    var widest: (reach: ReachClass, entry: InterfaceAddress)?
    for entry in candidates {
      guard let reach = reach(of: entry.address) else { continue }
      if widest.map({ reach > $0.reach }) ?? true { widest = (reach, entry) }
    }
    guard let widest else {
      return ReachAssessment(reach: .public, basis: "wildcard \(address): no host address could be classified, assumed public")
    }
    return ReachAssessment(
      reach: widest.reach,
      basis: "wildcard \(address) covers the host's \(familyText) addresses; widest is \(widest.entry.address) on \(widest.entry.interface)"
    )
  }
}

extension ListenerReach {
  /// The reach of a listener inside another network namespace (a container's) before any
  /// published port is joined to it: its namespace's loopback, else the container network.
  public static func assessInContainer(_ address: HostAddress, netns: UInt64, container: ContainerIdentity?) -> ReachAssessment {
    let inside = "network namespace \(netns)" + (container.map { " (container \($0.label))" } ?? "")
    if reach(of: address) == .loopback {
      return ReachAssessment(reach: .loopback, basis: "bound to \(address) inside \(inside)")
    }
    return ReachAssessment(
      reach: .containerNetwork,
      basis: "bound to \(address) inside \(inside): reachable from the host and its other containers; no published port leads to it")
  }
}

/// A listener's reach and, in words, why: which address decided it.
public struct ReachAssessment: Hashable, Sendable, Codable {
  public var reach: ReachClass
  /// E.g. `wildcard 0.0.0.0 covers the host's IPv4 addresses; widest is 10.0.0.5 on eth0`.
  public var basis: String

  public init(reach: ReachClass, basis: String) {
    self.reach = reach
    self.basis = basis
  }
}
