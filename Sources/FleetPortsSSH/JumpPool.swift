import FleetPortsCore
import Synchronization

/// The jump-host sessions of one scan: one SSH session per distinct hop chain (the same
/// bastion reached the same way is one session, whichever targets sit behind it), made on the
/// first target that needs it and shared by every later one; each target gets a
/// `direct-tcpip` channel of its own on the last hop's session. A chain's hop n is itself
/// reached through a channel on hop n−1's session, so the pool builds chains hop by hop.
///
/// A jump host that fails (unreachable, host key, login) fails every target behind it with
/// `.jumpHostFailed` naming it; it is not tried again within the scan.
public final class JumpPool: Sendable {
  /// The default of `channelsPerJump`. OpenSSH's MaxSessions does not count `direct-tcpip`
  /// channels, but every channel is a TCP connection the jump host's sshd makes and a
  /// descriptor it holds (1,024 per process by default), and a target behind a slow jump
  /// host only waits longer when more share it: 64 keeps well inside both.
  public static let defaultChannelsPerJump = 64

  /// The scan's known_hosts, checking, default credentials and deadlines (hops are checked
  /// exactly as targets are). `credentials.identities` are used for hops whose ssh_config
  /// names no IdentityFile.
  let base: SSHClient
  /// Identities by path, for hops whose ssh_config names IdentityFiles.
  let identities: [String: SSHIdentity]
  /// Channels open at once on one jump session; further targets queue (never fail) for one.
  let channelsPerJump: Int
  private let connections = Mutex<[[JumpHop]: JumpConnection]>([:])
  /// Every connection ever made, retired ones too, for `shutdown`.
  private let made = Mutex<[JumpConnection]>([])
  /// How many times one target asks again after its connection was retired.
  static let maxRetiredRetries = 4

  /// - Parameters:
  ///   - base: a client with the scan's known_hosts, host-key checking, default credentials
  ///     and deadlines (its `jumps` is ignored).
  ///   - identities: private keys already read, by path.
  ///   - channelsPerJump: at least 1.
  public init(base: SSHClient, identities: [String: SSHIdentity], channelsPerJump: Int = JumpPool.defaultChannelsPerJump) {
    self.base = base
    self.identities = identities
    self.channelsPerJump = max(1, channelsPerJump)
  }

  /// A socket to `host:port` through `hops` (the channel's local end; the caller owns and
  /// closes it). Waits for the chain's session (made on first use) and for a free channel.
  /// - Throws: `.jumpHostFailed` naming the hop that failed; `.unreachable` when the last hop
  ///   could not open the channel (it cannot reach `host:port`, or forbids forwarding);
  ///   `.timedOut(.connect)` when the channel did not open in the connect deadline;
  ///   `.cancelled`.
  func channel(through hops: [JumpHop], to host: String, port: Int) async throws(SSHError) -> Int32 {
    for _ in 0...Self.maxRetiredRetries {
      let connection = connections.withLock { open -> JumpConnection in
        if let existing = open[hops] { return existing }
        let fresh = JumpConnection(pool: self, hops: hops)
        open[hops] = fresh
        made.withLock { $0.append(fresh) }
        return fresh
      }
      connection.startOnce()
      if let fd = try await connection.open(host: host, port: port) { return fd }
    }
    throw SSHError(.timedOut(.connect, seconds: base.deadlines.connect.seconds))
  }

  /// The error of the jump session carrying `hops`, when it failed or broke; nil while it
  /// works (or was never made). A target whose connection was lost asks, so its row names the
  /// jump host when that is what broke.
  func failure(of hops: [JumpHop]) -> SSHError? {
    connections.withLock { $0[hops] }?.failure
  }

  /// How many times the pump of the jump session carrying `hops` has woken; nil when there
  /// is no such session.
  func pumpWakes(of hops: [JumpHop]) -> Int? {
    connections.withLock { $0[hops] }?.pumpWakes.load(ordering: .relaxed)
  }

  /// Takes `connection` out of service because an open on it hung past the connect deadline
  /// (libssh2 opens one channel at a time, so every open behind it would wait for the jump
  /// host to give up on that target, minutes for a host that drops packets). The targets
  /// waiting on it, and later ones, get a fresh session; the old one keeps its open channels
  /// until the scan ends.
  func retire(_ connection: JumpConnection) {
    connections.withLock { open in
      if open[connection.hops] === connection { open[connection.hops] = nil }
    }
    connection.retire()
  }

  /// The client a hop's session logs in with: the hop's own IdentityFiles when ssh_config
  /// names some that were read, the scan's defaults otherwise; the agent either way.
  func client(for hop: JumpHop) -> SSHClient {
    var client = base
    client.jumps = self
    let own = hop.identityFiles.compactMap { identities[$0] }
    if !own.isEmpty { client.credentials.identities = own }
    return client
  }

  /// Ends every jump session: channels closed, pending requests cancelled, sockets closed.
  /// Call when the scan is done or interrupted; waits until every session has ended.
  public func shutdown() async {
    let all = made.withLock { $0 }
    for connection in all { connection.stop() }
    for connection in all { await connection.finished() }
  }
}
