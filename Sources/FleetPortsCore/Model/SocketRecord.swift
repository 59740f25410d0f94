/// The kind of socket: which protocol table it lives in.
public enum SocketProtocol: String, Hashable, Sendable, Codable, CaseIterable {
  case tcp
  case udp
  case raw
  case unix

  /// True for the protocols that run over IP, whose listeners the network can reach (so they
  /// have a reach); false for Unix sockets, which only the host reaches.
  public var carriesIP: Bool { self != .unix }

  /// True for the protocols whose endpoints have ports (TCP, UDP). A raw socket's number
  /// after the colon is an IP protocol, not a port.
  public var hasPorts: Bool { self == .tcp || self == .udp }

  /// The order listeners are listed in: TCP, UDP, raw, Unix.
  public var displayRank: Int {
    switch self {
    case .tcp: return 0
    case .udp: return 1
    case .raw: return 2
    case .unix: return 3
    }
  }
}

/// The type of a Unix domain socket.
public enum UnixSocketType: String, Hashable, Sendable, Codable {
  case stream
  case datagram = "dgram"
  case seqpacket
}

/// What a Unix domain socket is bound to and connected to.
public struct UnixSocketDetails: Hashable, Sendable, Codable {
  /// The bound path; for an abstract socket the name after `@`; nil when unbound.
  public var path: String?
  public var isAbstract: Bool
  public var type: UnixSocketType?
  public var peerInode: UInt64?

  public init(path: String?, isAbstract: Bool, type: UnixSocketType?, peerInode: UInt64? = nil) {
    self.path = path
    self.isAbstract = isAbstract
    self.type = type
    self.peerInode = peerInode
  }
}

/// A process holding a socket, as one tool reported it.
public struct OwningProcess: Hashable, Sendable, Codable {
  public var name: String
  public var pid: Int32?
  public var fd: Int32?

  public init(name: String, pid: Int32?, fd: Int32?) {
    self.name = name
    self.pid = pid
    self.fd = fd
  }
}

/// Where a tool lost information, so a damaged value is never presented as true.
public enum DataLoss: String, Hashable, Sendable, Codable, CaseIterable {
  /// net-tools netstat without `-W` cuts long addresses to fit its column.
  case addressMayBeTruncated = "address-may-be-truncated"
  /// The process name filled the tool's column or the kernel's 15-byte `comm`.
  case processNameMayBeTruncated = "process-name-may-be-truncated"
  /// Old iproute2 read names from /proc/PID/stat and stopped at the first `)`.
  case processNameMayBeCutAtParenthesis = "process-name-may-be-cut-at-parenthesis"
  /// A quote inside a name made the owner list ambiguous; the reading shown is the first consistent one.
  case processListAmbiguous = "process-list-ambiguous"
}

/// One socket as one tool reported it: the common model every parser produces.
public struct SocketRecord: Hashable, Sendable, Codable {
  public var proto: SocketProtocol
  public var family: IPFamily?
  /// nil where the tool printed no state (ss with a state filter).
  public var state: SocketState?
  public var local: Endpoint?
  public var peer: Endpoint?
  public var receiveQueue: UInt64?
  public var sendQueue: UInt64?
  public var inode: UInt64?
  public var uid: UInt32?
  /// A user name, where the tool printed one instead of a uid (lsof, netstat -e without -n).
  public var user: String?
  /// Every process holding the socket; empty when the tool could not tell.
  public var processes: [OwningProcess]
  public var unix: UnixSocketDetails?
  public var dataLoss: Set<DataLoss>
  /// A TCP listener's accept backlog (`listen()`'s limit), where a tool showed it: `ss`
  /// prints it as Send-Q of a LISTEN socket. /proc/net, netstat and lsof do not show it.
  public var listenBacklog: UInt64?
  /// IPV6_V6ONLY of an IPv6 wildcard bind, where ss showed it: `[::]` is IPv6 only (true),
  /// `*` takes IPv4 too (false). nil when unknown (/proc/net, netstat and lsof cannot tell).
  public var ipv6Only: Bool?

  public init(
    proto: SocketProtocol, family: IPFamily? = nil, state: SocketState? = nil,
    local: Endpoint? = nil, peer: Endpoint? = nil,
    receiveQueue: UInt64? = nil, sendQueue: UInt64? = nil,
    inode: UInt64? = nil, uid: UInt32? = nil, user: String? = nil,
    processes: [OwningProcess] = [], unix: UnixSocketDetails? = nil,
    dataLoss: Set<DataLoss> = [], listenBacklog: UInt64? = nil
  ) {
    self.proto = proto
    self.family = family
    self.state = state
    self.local = local
    self.peer = peer
    self.receiveQueue = receiveQueue
    self.sendQueue = sendQueue
    self.inode = inode
    self.uid = uid
    self.user = user
    self.processes = processes
    self.unix = unix
    self.dataLoss = dataLoss
    self.listenBacklog = listenBacklog
  }

  /// True for a socket that accepts traffic from anyone: a TCP or stream/seqpacket
  /// listener, or a datagram (UDP, raw, Unix dgram) socket bound with no peer.
  public var isListening: Bool {
    switch proto {
    case .tcp:
      return state == .listen
    case .udp, .raw:
      guard state == nil || state == .unconnected || state == .close else { return false }
      guard let peer else { return true }
      return peer.port == nil && (peer.address.isWildcard)
    case .unix:
      if state == .listen { return true }
      return unix?.type == .datagram && unix?.path != nil && (state == .unconnected || state == nil)
    }
  }
}
