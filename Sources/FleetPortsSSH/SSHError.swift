import FleetPortsCore

#if canImport(Glibc)
  import Glibc
#endif

/// The phase of a connection a deadline or failure belongs to.
public enum SSHPhase: String, Sendable, Hashable, Codable {
  case resolve
  case connect
  case handshake
  case authentication
  case command
}

/// Why one host could not be reached or run a command; every case says what to do.
public struct SSHError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What went wrong; `description` turns each case into a message that ends in its fix.
  public enum Kind: Sendable, Hashable {
    case resolveFailed(String)
    case connectionRefused
    case unreachable(String)
    case timedOut(SSHPhase, seconds: Double)
    case hostKeyUnknown(keyType: String, fingerprint: String)
    case hostKeyChanged(keyType: String, fingerprint: String, knownLines: [Int], knownHostsPath: String)
    case hostKeyRevoked(fingerprint: String, line: Int)
    case hostCertificateUnsupported
    case authenticationFailed(tried: [String], serverAccepts: [String])
    /// The server hung up after refusing `offered` (sshd's MaxAuthTries): what was offered is
    /// the list, nothing after it.
    case tooManyAuthenticationFailures(offered: [String])
    case rsaKeyUnsupported(path: String)
    case identityUnreadable(path: String, reason: String)
    case algorithmIncompatible(String)
    case channelRefused(String)
    case connectionLost(SSHPhase, String)
    /// Every one of `attempts` connections was closed by the server before SSH started (see
    /// `EarlyCloseRetry`): the mark of sshd's MaxStartups dropping connections.
    case closedBeforeSSH(attempts: Int)
    case cancelled
    /// A jump host on the route (its label, e.g. `bastion (10.0.0.1:22)`) failed for `reason`
    /// (that hop's own error) and `fix` (that error's fix): every host behind it gets this.
    case jumpHostFailed(jump: String, reason: String, fix: String)
    /// The ProxyCommand (`command`, as ssh_config wrote it) ended or failed before SSH did:
    /// `exit` says how it ended ("exit status 255", "still running"), `stderr` is what it
    /// printed (bounded, control characters escaped), `reason` what the session saw.
    case proxyCommandFailed(command: String, exit: String, stderr: String, reason: String)
    /// The reactor (epoll, its eventfd, its thread) or the thread for blocking calls could not
    /// be set up, or stopped working: `call` failed with `errno`.
    case ioUnavailable(call: String, errno: Int32)
    case internalFailure(String)
  }

  /// What went wrong.
  public var kind: Kind
  /// The host as the user named it, for messages.
  public var host: String
  /// libssh2's error code and message, when libssh2 said something.
  public var libssh2Code: Int32?
  public var libssh2Message: String?

  /// An error of `kind`; `SSHClient.run` fills in `host`.
  public init(_ kind: Kind, host: String = "", libssh2Code: Int32? = nil, libssh2Message: String? = nil) {
    self.kind = kind
    self.host = host
    self.libssh2Code = libssh2Code
    self.libssh2Message = libssh2Message
  }

  /// A short machine-friendly name for reports and JSON.
  public var code: FailureCode {
    switch kind {
    case .resolveFailed: return .resolveFailed
    case .connectionRefused: return .connectionRefused
    case .unreachable: return .unreachable
    case .timedOut(let phase, _): return .timeout(phase: phase.rawValue)
    case .hostKeyUnknown: return .hostKeyUnknown
    case .hostKeyChanged: return .hostKeyChanged
    case .hostKeyRevoked: return .hostKeyRevoked
    case .hostCertificateUnsupported: return .hostCertificateUnsupported
    case .authenticationFailed, .tooManyAuthenticationFailures: return .authenticationFailed
    case .rsaKeyUnsupported: return .rsaKeyUnsupported
    case .identityUnreadable: return .identityUnreadable
    case .algorithmIncompatible: return .algorithmIncompatible
    case .channelRefused: return .channelRefused
    case .connectionLost, .closedBeforeSSH: return .connectionLost
    case .cancelled: return .cancelled
    case .jumpHostFailed: return .jumpHostFailed
    case .proxyCommandFailed: return .proxyCommandFailed
    case .ioUnavailable: return .ioUnavailable
    case .internalFailure: return .internal
    }
  }

  /// This error as it reads when a host behind `jump` gets it: the jump host named, its
  /// reason and fix kept. An error that already names a jump host (an earlier hop's) is kept
  /// as it is, so the row names the hop that failed first.
  func viaJumpHost(_ jump: String) -> SSHError {
    if case .jumpHostFailed = kind { return self }
    if case .cancelled = kind { return self }
    var (problem, fix) = explanation
    if let message = libssh2Message, !message.isEmpty, case .internalFailure = kind {
      problem += " [libssh2 \(libssh2Code ?? 0): \(message)]"
    }
    return SSHError(.jumpHostFailed(jump: jump, reason: problem, fix: fix))
  }

  /// The message for a person: the host, what went wrong, and last, what to do about it.
  public var description: String {
    let who = host.isEmpty ? "" : "\(host): "
    var (problem, fix) = explanation
    if let message = libssh2Message, !message.isEmpty, case .internalFailure = kind {
      problem += " [libssh2 \(libssh2Code ?? 0): \(message)]"
    }
    return who + problem + "; " + fix
  }

  /// What went wrong, and the fix that ends the message.
  var explanation: (problem: String, fix: String) {
    switch kind {
    case .resolveFailed(let why):
      return ("cannot resolve the host name (\(why))", "check the inventory or DNS")
    case .connectionRefused:
      return ("connection refused: nothing listens on the SSH port", "check the port and that sshd runs")
    case .unreachable(let why):
      return ("cannot connect (\(why))", "check routing and firewalls")
    case .timedOut(let phase, let seconds):
      let (cause, fix): (String, String)
      switch phase {
      case .resolve: (cause, fix) = ("DNS did not answer", "check the resolver (/etc/resolv.conf) or put the address in the inventory")
      case .connect:
        (cause, fix) = ("the host or a firewall drops packets", "check that the host is up and that a firewall lets the SSH port through")
      case .handshake:
        (cause, fix) = (
          "something accepted TCP but did not speak SSH in time",
          "check that sshd listens on this port and is not overloaded (its MaxStartups)"
        )
      case .authentication:
        (cause, fix) = ("the server did not answer authentication in time", "check the server's load and slow login lookups (UseDNS, PAM)")
      case .command: (cause, fix) = ("the command did not finish", "raise --timeout or check the host's load")
      }
      return ("timed out in the \(phase.rawValue) phase after \(seconds)s (\(cause))", fix)
    case .hostKeyUnknown(let type, let fingerprint):
      return ("host key unknown (\(type) \(fingerprint))", "verify it and add it to known_hosts, or scan with --host-key-check accept-new")
    case .hostKeyChanged(let type, let fingerprint, let lines, let path):
      let known =
        lines.isEmpty
        ? "the key recorded for it earlier in this scan (\(path))" : "\(path) line \(lines.map(String.init).joined(separator: ", "))"
      return (
        "HOST KEY CHANGED: the host presented \(type) \(fingerprint), which does not match \(known); refusing",
        "if the change is expected, remove the old line (ssh-keygen -R)"
      )
    case .hostKeyRevoked(let fingerprint, let line):
      return (
        "host key \(fingerprint) is marked @revoked in known_hosts line \(line); refusing",
        "get the host's new key from its owner and put it in known_hosts"
      )
    case .hostCertificateUnsupported:
      return (
        "known_hosts trusts this host only through @cert-authority, and libssh2 1.10 cannot check host certificates",
        "add the host's own key to known_hosts"
      )
    case .authenticationFailed(let tried, let accepts):
      let offered = tried.isEmpty ? "nothing" : tried.joined(separator: ", ")
      return (
        "authentication failed (tried: \(offered); server accepts: \(accepts.isEmpty ? "unknown" : accepts.joined(separator: ", ")))",
        "check the user and that the key is in authorized_keys"
      )
    case .tooManyAuthenticationFailures(let offered):
      return (
        "the server hung up after \(offered.count) key\(offered.count == 1 ? "" : "s") (offered: \(offered.joined(separator: ", "))):"
          + " its MaxAuthTries (6 by default) ran out before the right key came",
        "offer fewer keys (--identity the right one, --no-agent, or fewer keys in the agent) or raise MaxAuthTries on the server"
      )
    case .rsaKeyUnsupported(let path):
      return (
        "\(path) is an RSA key fleetports cannot read to sign with rsa-sha2 itself, and this libssh2 (1.10) signs RSA only"
          + " with ssh-rsa (SHA-1), which OpenSSH 8.8+ refuses",
        "give it unencrypted in OpenSSH or PEM format, load it into ssh-agent, or use an ed25519 key"
      )
    case .identityUnreadable(let path, let reason):
      return ("cannot use identity \(path): \(reason)", "check the file, its passphrase (--passphrase-env) and that it is an ed25519, ECDSA or RSA key")
    case .algorithmIncompatible(let why):
      return (
        "no algorithm in common with the server (\(why)); libssh2 1.10 lacks chacha20, AES-GCM, -etm MACs and rsa-sha2",
        "let the server offer aes-ctr, hmac-sha2-256 and an ed25519 or ECDSA host key"
      )
    case .channelRefused(let why):
      return ("the server refused to run the command (\(why))", "check the user's shell and sshd's limits")
    case .connectionLost(let phase, let why):
      return ("connection lost during \(phase.rawValue) (\(why))", "check the network and the host's sshd log, then scan again")
    case .closedBeforeSSH(let attempts):
      return (
        "the server closed the connection before SSH started, \(attempts) times: sshd's MaxStartups may be throttling",
        "lower --parallel or --per-server, or raise MaxStartups on the server"
      )
    case .cancelled:
      return ("cancelled before this host finished", "scan again to cover it")
    case .jumpHostFailed(let jump, let reason, let fix):
      return ("jump host \(jump) failed: \(reason)", fix)
    case .proxyCommandFailed(let command, let exit, let stderr, let reason):
      let said = stderr.isEmpty ? "it printed nothing on stderr" : "its stderr: \(stderr)"
      return (
        "ProxyCommand \(command) failed (\(exit); \(said)); the session saw: \(reason)",
        "run the command by hand with the host's values to see why"
      )
    case .ioUnavailable(let call, let code):
      let fix: String
      switch code {
      case EMFILE, ENFILE: fix = "too many open files: raise the limit (ulimit -n) or lower --parallel"
      case ENOSPC: fix = "too many watched sockets: raise fs.epoll.max_user_watches or lower --parallel"
      case ENOMEM, EAGAIN: fix = "the system is short of memory or threads: free some and scan again"
      case EPERM, EACCES, ENOSYS:
        fix = "a sandbox or seccomp profile forbids it: run fleetports where epoll, eventfd and threads are allowed"
      default: fix = "this is a fleetports bug: please report it with this message"
      }
      return ("cannot do network I/O: \(call) failed: \(String(cString: strerror(code))) (errno \(code))", fix)
    case .internalFailure(let why):
      return ("internal error: \(why)", "this is a fleetports bug: please report it with this message")
    }
  }
}
