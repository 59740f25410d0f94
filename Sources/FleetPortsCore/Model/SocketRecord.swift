/// The kind of socket: which protocol (and kernel table) it belongs to.
///
/// Stored in scan.json and the history by its raw value; the values of `tcp`, `udp`, `raw`
/// and `unix` never change. Kinds a tool can print that have no case of their own (ss's
/// `p_raw`, `p_dgr`, `nl`, `v_str`, `v_dgr`, `tipc`, `xdp`) are `other`, with the name the
/// tool printed in `SocketRecord.netid`; a socket whose output did not say its protocol at
/// all (`lsof -F` without `P`) is `unknown`, flagged `DataLoss.protocolUnknown`.
public enum SocketProtocol: String, Hashable, Sendable, Codable, CaseIterable {
  case tcp
  case udp
  /// A raw IP socket: its "port" is the IP protocol it receives (`SocketRecord.ipProtocol`).
  case raw
  case unix
  /// SCTP (RFC 9260), one-to-one or one-to-many; ss netid `sctp`, /proc/net/sctp/eps.
  case sctp
  /// Multipath TCP (`IPPROTO_MPTCP`, 262); ss netid `mptcp`. Its subflows are TCP sockets.
  case mptcp
  /// DCCP (RFC 4340); ss netid `dccp`.
  case dccp
  /// A kind with no case here (packet, netlink, vsock, TIPC, XDP …): `SocketRecord.netid` names it.
  case other
  /// The tool's output did not say (lsof `-F` without the `P` field).
  case unknown

  /// True for the IP transports whose sockets bind a port a peer connects to: TCP, UDP,
  /// SCTP, MPTCP, DCCP, and an IP socket of unknown protocol (it has a port; which
  /// transport is not known). These get a reach class; raw, Unix and other sockets do not.
  public var hasPorts: Bool {
    switch self {
    case .tcp, .udp, .sctp, .mptcp, .dccp, .unknown: return true
    case .raw, .unix, .other: return false
    }
  }

  /// True for connection-oriented IP transports whose listeners are in state LISTEN
  /// (TCP, SCTP, MPTCP, DCCP).
  public var isConnectionOriented: Bool {
    switch self {
    case .tcp, .sctp, .mptcp, .dccp: return true
    case .udp, .raw, .unix, .other, .unknown: return false
    }
  }

  /// The protocol of an ss netid (`tcp`, `u_str`, `p_raw`, `icmp6`, `???` …), and the netid
  /// to keep beside it when the case alone does not say what was printed. Unix netids map to
  /// `.unix` (the type goes to `UnixSocketDetails`); `icmp6` and `???` are raw sockets
  /// (iproute2 names raw sockets by their IP protocol: `sock_state_print()` in misc/ss.c).
  public static func fromNetid(_ netid: String) -> (proto: SocketProtocol, keepNetid: Bool) {
    switch netid {
    case "tcp": return (.tcp, false)
    case "udp": return (.udp, false)
    case "raw": return (.raw, false)
    case "sctp": return (.sctp, false)
    case "mptcp": return (.mptcp, false)
    case "dccp": return (.dccp, false)
    case "u_str", "u_dgr", "u_seq", "u_seqpacket": return (.unix, false)
    case "icmp6", "???": return (.raw, true)
    default: return (.other, true)
    }
  }

  /// True for the protocols that run over IP, whose listeners the network can reach, so
  /// they have a reach class: those with ports, and raw IP sockets (an ICMP socket on
  /// 0.0.0.0 answers the network). False for Unix sockets and the kinds with no case of
  /// their own (packet, netlink, vsock …), which `SocketRecord.netid` names.
  public var carriesIP: Bool { hasPorts || self == .raw }

  /// The order listeners are listed in: TCP, UDP, SCTP, MPTCP, DCCP, raw, unknown, other, Unix.
  public var displayRank: Int {
    switch self {
    case .tcp: return 0
    case .udp: return 1
    case .sctp: return 2
    case .mptcp: return 3
    case .dccp: return 4
    case .raw: return 5
    case .unknown: return 6
    case .other: return 7
    case .unix: return 8
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
  /// The process's name: its comm from the probe's identity section where that was read
  /// (the same whatever tool found the socket), else the name the tool printed.
  public var name: String
  public var pid: Int32?
  public var fd: Int32?
  /// The name the tool printed (netstat's argv[0] cut at its column, lsof's 9-character
  /// COMMAND), kept only where it differs from `name`; nil otherwise.
  public var toolName: String?

  public init(name: String, pid: Int32?, fd: Int32?, toolName: String? = nil) {
    self.name = name
    self.pid = pid
    self.fd = fd
    self.toolName = toolName
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
  /// The output did not carry the protocol (lsof `-F` without `P`): `proto` is `.unknown`.
  case protocolUnknown = "protocol-unknown"
  /// The output did not carry the state (lsof `-F` without `T`, `-T` without `s`): `state` is nil.
  case stateUnknown = "state-unknown"
  /// The tool could not decode the socket's addresses (lsof's `sock` row, NAME `protocol: TCP`): `local` is nil.
  case addressUnknown = "address-unknown"
  /// The tool printed a service name (no `-n`/`-P`) that the built-in table does not know: `port` is nil,
  /// `Endpoint.serviceName` holds the name.
  case portIsAName = "port-is-a-name"
  /// The tool printed a host name (no `-n`) that is not `localhost`/`ip6-localhost`: the address is `.text`.
  case addressIsAName = "address-is-a-name"
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
  /// The socket kind exactly as the tool printed it, where `proto` alone does not say it:
  /// ss's `p_raw`, `nl`, `v_str`, `icmp6`, `???`; lsof's `protocol:` text of a socket it could
  /// not decode. nil when the name is `proto.rawValue` (or a Unix netid). Absent in old scan.json.
  public var netid: String?
  /// A raw socket's IP protocol number (1 ICMP, 58 ICMPv6, 255 raw): what ss, netstat and
  /// /proc/net/raw print where a port would be. `local.port` is nil for raw sockets.
  public var ipProtocol: UInt8?
  /// The socket's cgroup v2 path as `ss -e` prints it (`cgroup:/system.slice/nginx.service`);
  /// nil where the tool did not print one. `systemdUnit` reads the unit from it.
  public var cgroup: String?
  /// The network namespace the socket lives in (its inode), when it is not the probe's own:
  /// a container's or a pod's, read through a member process (`NetworkNamespace`). nil for the
  /// host's own namespace. Absent in old scan.json.
  public var netns: UInt64?
  /// The container whose namespace holds the socket (its owner's cgroup, else the namespace
  /// reader's); nil on the host or when no runtime is named. Absent in old scan.json.
  public var container: ContainerIdentity?

  /// `kind` as printed: `netid` when set, else the protocol's raw value (`tcp`, `p_raw`, `???`).
  public var kindName: String { netid ?? proto.rawValue }

  /// The systemd unit `cgroup` names: its last component ending in `.service`, `.socket`,
  /// `.scope`, `.mount` or `.swap` (`/system.slice/nginx.service` → `nginx.service`); nil otherwise.
  public var systemdUnit: String? {
    guard let cgroup else { return nil }
    for component in cgroup.split(separator: "/").reversed() {
      for suffix in [".service", ".socket", ".scope", ".mount", ".swap"] where component.hasSuffix(suffix) {
        return String(component)
      }
    }
    return nil
  }

  public init(
    proto: SocketProtocol, family: IPFamily? = nil, state: SocketState? = nil,
    local: Endpoint? = nil, peer: Endpoint? = nil,
    receiveQueue: UInt64? = nil, sendQueue: UInt64? = nil,
    inode: UInt64? = nil, uid: UInt32? = nil, user: String? = nil,
    processes: [OwningProcess] = [], unix: UnixSocketDetails? = nil,
    dataLoss: Set<DataLoss> = [], listenBacklog: UInt64? = nil,
    netid: String? = nil, ipProtocol: UInt8? = nil, cgroup: String? = nil
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
    self.netid = netid
    self.ipProtocol = ipProtocol
    self.cgroup = cgroup
  }

  /// True for a socket that accepts traffic from anyone: a TCP, SCTP, MPTCP, DCCP or
  /// stream/seqpacket listener, or a datagram (UDP, raw, Unix dgram) socket bound with no peer.
  /// Where the output did not carry the state (lsof `-F` without `T`, ss with a state
  /// filter), a connection-oriented or unknown-protocol socket bound with no peer counts as
  /// listening: it is listening or not yet connected, and an audit must not lose a listener.
  /// Other kinds (packet, netlink, vsock …) count when in state LISTEN.
  public var isListening: Bool {
    switch proto {
    case .tcp, .sctp, .mptcp, .dccp:
      return state == .listen || (state == nil && local != nil && hasNoPeer)
    case .udp, .raw:
      guard state == nil || state == .unconnected || state == .close else { return false }
      return hasNoPeer
    case .unknown:
      return state == .listen || ((state == nil || state == .unconnected) && local != nil && hasNoPeer)
    case .other:
      return state == .listen
    case .unix:
      if state == .listen { return true }
      return unix?.type == .datagram && unix?.path != nil && (state == .unconnected || state == nil)
    }
  }

  /// No peer: none printed, or a wildcard one (`*:*`, `0.0.0.0:*`).
  var hasNoPeer: Bool {
    guard let peer else { return true }
    return peer.port == nil && peer.address.isWildcard
  }
}
