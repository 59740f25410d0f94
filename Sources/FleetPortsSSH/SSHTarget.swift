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
  /// The RSA signatures offered, in order: the first with each RSA key in turn, the others
  /// only after everything else was refused (see `AuthenticationPlan`). Tests set `[.sha1]`
  /// to show what sshd refuses.
  var rsaSignatures: [RSASignature] = [.sha512, .sha256]
  /// Offer Ed25519 and RSA certificates too, though libssh2 1.10 names their signatures wrong:
  /// only for the test that shows sshd refusing them (and that fails once libssh2 does it right).
  var offersUnsignableCertificates = false

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
  /// The OpenSSH user certificate for this key (`<key>-cert.pub`, or ssh_config's
  /// `CertificateFile`), offered before the key itself.
  public var certificate: SSHCertificate?
  /// Unencrypted Ed25519 and RSA keys are parsed once and signed in-process (see `InProcessSigner`).
  let signer: InProcessSigner?
  /// The public key blob when the file shows it (OpenSSH format, or any key signed
  /// in-process), so the same key held by ssh-agent is not offered twice.
  let publicBlob: [UInt8]?

  /// - Parameters:
  ///   - path: where the key came from, for messages.
  ///   - privateKey: the key file's bytes (OpenSSH or PEM).
  ///   - passphrase: for an encrypted key that libssh2 loads.
  ///   - certificate: the certificate to offer with it; `IdentityFiles` finds `<path>-cert.pub`.
  public init(path: String, privateKey: [UInt8], passphrase: String? = nil, certificate: SSHCertificate? = nil) {
    self.path = path
    self.privateKey = privateKey
    self.passphrase = passphrase
    self.certificate = certificate
    signer = InProcessSigner(privateKey: privateKey)
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
  /// ssh_config's HostKeyAlias: the name known_hosts is searched and written under instead of
  /// `host` (and without the port); nil: `host` and `port`.
  public var hostKeyAlias: String?
  /// ssh_config's Ciphers, MACs, KexAlgorithms and HostKeyAlgorithms applied to libssh2's
  /// lists (`SSHAlgorithmList`): what this session offers, in order; a missing family keeps
  /// libssh2's defaults.
  public var algorithms: [SSHAlgorithmKind: [String]]
  /// How the connection reaches `host:port`: directly, through jump hosts (the client's
  /// `jumps` pool carries it), or through a ProxyCommand.
  public var route: ProxyRoute

  public init(
    host: String, port: Int = 22, user: String, hostKeyAlias: String? = nil, algorithms: [SSHAlgorithmKind: [String]] = [:],
    route: ProxyRoute = .direct
  ) {
    self.host = host
    self.port = port
    self.user = user
    self.hostKeyAlias = hostKeyAlias
    self.algorithms = algorithms
    self.route = route
  }

  /// The name known_hosts is consulted under.
  var knownHostsName: String { hostKeyAlias ?? host }
  /// The port known_hosts is consulted under: 22 (no `[name]:port`) for an alias.
  var knownHostsPort: Int { hostKeyAlias == nil ? port : 22 }
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
