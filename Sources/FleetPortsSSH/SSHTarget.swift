import FleetPortsCore

/// How strictly host keys are checked against known_hosts.
public enum HostKeyChecking: String, Sendable, Hashable, CaseIterable, Codable {
  /// Unknown or changed keys are refused (the default).
  case strict
  /// Unknown keys are recorded in known_hosts; changed keys are refused.
  case acceptNew = "accept-new"
  /// No check (keys are still reported).
  case off
}

/// How a session proves who it is.
public struct SSHCredentials: Sendable {
  /// Private keys already read (OpenSSH or PEM text), each with the path it came from.
  public var identities: [SSHIdentity]
  /// Ask ssh-agent (`SSH_AUTH_SOCK`) when set; its socket I/O is local and short.
  public var agentSocket: String?

  public init(identities: [SSHIdentity] = [], agentSocket: String? = nil) {
    self.identities = identities
    self.agentSocket = agentSocket
  }
}

/// A private key held in memory so hundreds of sessions do not re-read the file.
public struct SSHIdentity: Sendable {
  public var path: String
  public var privateKey: [UInt8]
  public var passphrase: String?
  /// Unencrypted Ed25519 keys are parsed once and signed in-process (see `Ed25519Signer`).
  let signer: Ed25519Signer?
  /// The public key blob when the file shows it (OpenSSH format), so the same key held by
  /// ssh-agent is not offered twice.
  let publicBlob: [UInt8]?

  public init(path: String, privateKey: [UInt8], passphrase: String? = nil) {
    self.path = path
    self.privateKey = privateKey
    self.passphrase = passphrase
    signer = OpenSSHEd25519Key(privateKey).flatMap(Ed25519Signer.init)
    publicBlob = signer?.publicBlob ?? IdentityKind.publicBlob(privateKey)
  }
}

/// Per-phase time limits. The reactor enforces them; libssh2's own timeout does nothing
/// in non-blocking mode.
public struct SSHDeadlines: Sendable, Hashable {
  public var connect: Duration
  public var handshakeAndAuth: Duration
  public var command: Duration
  /// How often an idle command phase sends a keepalive.
  public var keepalive: Duration

  public init(
    connect: Duration = .seconds(5), handshakeAndAuth: Duration = .seconds(10), command: Duration = .seconds(30),
    keepalive: Duration = .seconds(10)
  ) {
    self.connect = connect
    self.handshakeAndAuth = handshakeAndAuth
    self.command = command
    self.keepalive = keepalive
  }
}

/// One host to run a command on.
public struct SSHTarget: Sendable, Hashable {
  public var host: String
  public var port: Int
  public var user: String
  /// How the connection reaches `host:port`: directly, through jump hosts (the client's
  /// `jumps` pool carries it), or through a ProxyCommand.
  public var route: ProxyRoute

  public init(host: String, port: Int = 22, user: String, route: ProxyRoute = .direct) {
    self.host = host
    self.port = port
    self.user = user
    self.route = route
  }
}

/// What a remote command produced.
public struct SSHCommandResult: Sendable {
  public var stdout: [UInt8]
  public var stderr: [UInt8]
  /// The exit status; nil when the command died of a signal. libssh2 1.10 cannot tell
  /// "no status sent" from 0, so a server that sends none reads as 0.
  public var exitStatus: Int32?
  public var exitSignal: String?
  public var stdoutTruncated: Bool
  public var stderrTruncated: Bool
  /// SHA256 fingerprint of the host key the server presented.
  public var hostKeyFingerprint: String
}
