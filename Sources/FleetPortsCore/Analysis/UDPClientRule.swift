/// Why a UDP socket was judged a client's: the facts the rule found.
public struct UDPClientJudgement: Hashable, Sendable, Codable {
  /// The host's ephemeral range the port lies in (`ip_local_port_range`).
  public var ephemeralPorts: PortRange
  /// How many other sockets its owners hold (listeners or connections).
  public var ownersOtherSockets: Int

  public init(ephemeralPorts: PortRange, ownersOtherSockets: Int) {
    self.ephemeralPorts = ephemeralPorts
    self.ownersOtherSockets = ownersOtherSockets
  }

  /// `port in the ephemeral range 32768-60999, not a known service port; its owner holds 3 other sockets`.
  public var basis: String {
    "port in the ephemeral range \(ephemeralPorts.first)-\(ephemeralPorts.last), not a known service port; "
      + "its owner holds \(ownersOtherSockets) other socket\(ownersOtherSockets == 1 ? "" : "s") on other ports"
  }
}

/// Tells the unconnected UDP sockets that resolver libraries, NTP clients and agents bind
/// (the kernel hands them a port from the ephemeral range) from UDP servers, so they are
/// shown apart and not counted as listeners or exposure.
///
/// A UDP socket is a client's when all of these hold:
/// 1. it is unconnected (a listener by `SocketRecord.isListening`) and UDP;
/// 2. its port is inside the host's ephemeral range, as the probe read it
///    (`/proc/sys/net/ipv4/ip_local_port_range`; unread: the rule does not apply);
/// 3. the port is not a known service port (`ServiceNames.knownPorts`, the IANA/Debian
///    services table fleetports carries);
/// 4. no other socket of the host is bound to the same UDP port (a server bound for IPv4 and
///    IPv6 holds one port twice; the kernel gives a client socket a port of its own);
/// 5. its owners are known and hold at least one other socket, on another port (a process
///    that also serves or connects elsewhere and uses this socket to ask; a process whose
///    only socket this is looks like a server bound to a high port, and stays a listener).
///
/// Without owners (not root) rule 5 cannot hold: such sockets stay listeners, so an audit
/// never hides a socket it could not judge.
public struct UDPClientRule: Sendable {
  let ephemeral: PortRange?
  let udpPortCounts: [UInt16: Int]
  let socketsByPID: [Int32: [SocketRecord]]

  public init(_ snapshot: HostSnapshot) {
    ephemeral = snapshot.ephemeralPorts
    var counts: [UInt16: Int] = [:]
    var byPID: [Int32: [SocketRecord]] = [:]
    for socket in snapshot.sockets where socket.proto != .unix {
      if socket.proto == .udp, let port = socket.local?.port { counts[port, default: 0] += 1 }
      for pid in Set(socket.processes.compactMap(\.pid)) { byPID[pid, default: []].append(socket) }
    }
    udpPortCounts = counts
    socketsByPID = byPID
  }

  /// The judgement for `socket`, or nil when it is not a client's.
  public func judge(_ socket: SocketRecord) -> UDPClientJudgement? {
    guard let ephemeral, socket.proto == .udp, socket.isListening, let port = socket.local?.port,
      ephemeral.contains(port), !ServiceNames.knownPorts.contains(port), udpPortCounts[port, default: 0] == 1
    else { return nil }
    let pids = Set(socket.processes.compactMap(\.pid))
    guard !pids.isEmpty, pids.count == socket.processes.count else { return nil }
    var others = Set<String>()
    for pid in pids {
      for other in socketsByPID[pid] ?? [] where other.local?.port != port {
        others.insert(SocketText.socket(other) + "|" + (other.peer.map { "\($0.address):\($0.port ?? 0)" } ?? "") + "|\(other.inode ?? 0)")
      }
    }
    guard !others.isEmpty else { return nil }
    return UDPClientJudgement(ephemeralPorts: ephemeral, ownersOtherSockets: others.count)
  }
}
