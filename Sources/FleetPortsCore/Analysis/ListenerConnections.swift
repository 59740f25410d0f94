/// Who is connected to one TCP listener right now: the established connections whose local
/// end is the listener's, and where their peers come from, as networks (`10.200.0.0/24`,
/// `2001:db8:1:2::/64`, `this host`, `loopback`). Worked out from the sockets the probe
/// already reads (`ss -tan`, /proc/net/tcp): nothing new is collected.
public struct ListenerConnections: Hashable, Sendable, Codable {
  /// A remote network and how many of the listener's connections come from it.
  public struct Network: Hashable, Sendable, Codable {
    /// `10.200.0.0/24`, `2001:db8:1:2::/64`, `this host`, `loopback` or `unknown`.
    public var name: String
    public var connections: Int

    public init(name: String, connections: Int) {
      self.name = name
      self.connections = connections
    }
  }

  /// The listener's text (`tcp 0.0.0.0:22`, `Listener.text`).
  public var listener: String
  public var port: UInt16
  /// Established connections to it.
  public var established: Int
  /// Distinct peer addresses among them.
  public var peers: Int
  /// Distinct peer addresses that are neither loopback nor one of the host's own addresses.
  public var remotePeers: Int
  /// The peers' networks, most connections first (ties by name), at most `topNetworks` of them.
  public var networks: [Network]
  /// Networks left out of `networks`.
  public var otherNetworks: Int

  public init(listener: String, port: UInt16, established: Int, peers: Int, remotePeers: Int, networks: [Network], otherNetworks: Int) {
    self.listener = listener
    self.port = port
    self.established = established
    self.peers = peers
    self.remotePeers = remotePeers
    self.networks = networks
    self.otherNetworks = otherNetworks
  }
}

/// Builds `ListenerConnections` from a host's snapshot and listeners. Pure.
public enum ConnectionAggregation {
  /// Networks kept per listener.
  public static let topNetworks = 5

  /// Each TCP listener with at least one established connection, in the listeners' order. A
  /// connection belongs to the listener on its local port whose bind is its local address,
  /// else to a wildcard listener on that port (the kernel's own choice).
  public static func connections(
    listeners: [Listener], snapshot: HostSnapshot, topNetworks: Int = ConnectionAggregation.topNetworks
  ) -> [ListenerConnections] {
    let tcp = listeners.filter { $0.proto == .tcp && $0.port != nil }
    guard !tcp.isEmpty else { return [] }
    var byPort: [UInt16: [Int]] = [:]
    for (index, listener) in tcp.enumerated() { if let port = listener.port { byPort[port, default: []].append(index) } }
    var peers: [Int: [HostAddress]] = [:]
    for socket in snapshot.sockets where socket.proto == .tcp && socket.state == .established {
      guard let local = socket.local, let port = local.port, let candidates = byPort[port], let peer = socket.peer else { continue }
      let exact = candidates.first { tcp[$0].socket.local.map { same($0.address, local.address) } ?? false }
      let wildcard = candidates.first { tcp[$0].socket.local?.address.isWildcard ?? false }
      guard let owner = exact ?? wildcard else { continue }
      peers[owner, default: []].append(peer.address)
    }
    let own = snapshot.addresses.map(\.address)
    return peers.keys.sorted().compactMap { index in
      guard let port = tcp[index].port, let addresses = peers[index] else { return nil }
      var counts: [String: Int] = [:]
      var distinct: Set<String> = []
      var remote: Set<String> = []
      for address in addresses {
        let name = network(of: address, hostAddresses: own)
        counts[name, default: 0] += 1
        let text = "\(normalized(address))"
        distinct.insert(text)
        if name != thisHost && name != loopback { remote.insert(text) }
      }
      let ranked = counts.map { ListenerConnections.Network(name: $0.key, connections: $0.value) }.sorted {
        $0.connections != $1.connections ? $0.connections > $1.connections : NaturalOrder.areInIncreasingOrder($0.name, $1.name)
      }
      return ListenerConnections(
        listener: tcp[index].text, port: port, established: addresses.count, peers: distinct.count, remotePeers: remote.count,
        networks: Array(ranked.prefix(topNetworks)), otherNetworks: max(0, ranked.count - topNetworks))
    }
  }

  /// The name of a peer's own address among the networks.
  public static let thisHost = "this host"
  /// The name of 127.0.0.0/8 and ::1 among the networks.
  public static let loopback = "loopback"

  /// The network a peer address is counted under: `loopback`, `this host` (one of
  /// `hostAddresses`), its IPv4 /24, its IPv6 /64, or `unknown` for text that is no address.
  public static func network(of address: HostAddress, hostAddresses: [HostAddress]) -> String {
    let peer = normalized(address)
    if ListenerReach.reach(of: peer) == .loopback { return loopback }
    if hostAddresses.contains(where: { same($0, peer) }) { return thisHost }
    switch peer {
    case .ipv4(let v4, _), .ipv4Mapped(let v4):
      return "\(IPv4Address(v4.value & 0xffff_ff00))/24"
    case .ipv6(let v6, _):
      return "\(IPv6Address(high: v6.high, low: 0))/64"
    case .wildcard, .text:
      return "unknown"
    }
  }

  /// IPv4-mapped IPv6 as the IPv4 address it carries; zones dropped (peers are compared by address).
  static func normalized(_ address: HostAddress) -> HostAddress {
    switch address {
    case .ipv4Mapped(let v4): return .ipv4(v4)
    case .ipv4(let v4, _): return .ipv4(v4)
    case .ipv6(let v6, _): return v6.mappedIPv4.map { .ipv4($0) } ?? .ipv6(v6)
    default: return address
    }
  }

  static func same(_ a: HostAddress, _ b: HostAddress) -> Bool { normalized(a) == normalized(b) }
}
