import FleetPortsCore

/// A listening IP socket as the lab's truth file names it: protocol, bind address
/// (`0.0.0.0`, `::`, or a literal without zone) and port. Tests compare sets of these.
public struct ListenerKey: Hashable, Sendable, CustomStringConvertible {
  public var proto: String
  public var address: String
  public var port: Int

  public init(proto: String, address: String, port: Int) {
    self.proto = proto
    self.address = address
    self.port = port
  }

  public init(_ listener: LabListener) {
    self.init(proto: listener.proto, address: listener.address, port: listener.port)
  }

  /// The key of a parsed socket, or nil when it is not a TCP or UDP listener.
  /// ss's `*` (dual-stack) reads as `::`, as the truth writes it.
  public init?(_ socket: SocketRecord) {
    guard socket.isListening, socket.proto == .tcp || socket.proto == .udp, let local = socket.local, let port = local.port else {
      return nil
    }
    let address: String
    switch local.address {
    case .wildcard(.ipv4): address = "0.0.0.0"
    case .wildcard: address = "::"
    case .ipv4(let v4, _): address = v4.description
    case .ipv6(let v6, _): address = v6.description
    default: address = local.address.description
    }
    self.init(proto: socket.proto.rawValue, address: address, port: Int(port))
  }

  public var description: String { "\(proto) \(address):\(port)" }
}

extension LabHost {
  /// The host's IP listeners as keys.
  public var listenerKeys: Set<ListenerKey> { Set(listeners.map(ListenerKey.init)) }

  /// `keys` without the host's UDP client sockets: unconnected UDP sockets, not in the truth's
  /// listeners, on a port of the ephemeral range (the lab's 32768-60999, which the kernel
  /// picked), bound where the truth's `udp_clients` says. Tools list them with the listeners.
  public func withoutUDPClients(_ keys: Set<ListenerKey>) -> Set<ListenerKey> {
    let clients = Set((udpClients ?? []).map { "\($0.proto) \($0.address)" })
    let truth = listenerKeys
    return keys.filter { key in
      truth.contains(key) || !(32768...60999).contains(key.port) || !clients.contains("\(key.proto) \(key.address)")
    }
  }
}
