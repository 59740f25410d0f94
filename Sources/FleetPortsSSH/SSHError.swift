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
    case rsaKeyUnsupported(path: String)
    case identityUnreadable(path: String, reason: String)
    case algorithmIncompatible(String)
    case channelRefused(String)
    case connectionLost(SSHPhase, String)
    case cancelled
    case internalFailure(String)
  }

  public var kind: Kind
  /// The host as the user named it, for messages.
  public var host: String
  /// libssh2's error code and message, when libssh2 said something.
  public var libssh2Code: Int32?
  public var libssh2Message: String?

  public init(_ kind: Kind, host: String = "", libssh2Code: Int32? = nil, libssh2Message: String? = nil) {
    self.kind = kind
    self.host = host
    self.libssh2Code = libssh2Code
    self.libssh2Message = libssh2Message
  }

  /// A short machine-friendly name for reports and JSON.
  public var code: String {
    switch kind {
    case .resolveFailed: return "resolve-failed"
    case .connectionRefused: return "connection-refused"
    case .unreachable: return "unreachable"
    case .timedOut(let phase, _): return "timeout-\(phase.rawValue)"
    case .hostKeyUnknown: return "host-key-unknown"
    case .hostKeyChanged: return "host-key-changed"
    case .hostKeyRevoked: return "host-key-revoked"
    case .hostCertificateUnsupported: return "host-certificate-unsupported"
    case .authenticationFailed: return "auth-failed"
    case .rsaKeyUnsupported: return "rsa-key-unsupported"
    case .identityUnreadable: return "identity-unreadable"
    case .algorithmIncompatible: return "algorithm-incompatible"
    case .channelRefused: return "channel-refused"
    case .connectionLost: return "connection-lost"
    case .cancelled: return "cancelled"
    case .internalFailure: return "internal"
    }
  }

  public var description: String {
    let who = host.isEmpty ? "" : "\(host): "
    var text: String
    switch kind {
    case .resolveFailed(let why):
      text = "cannot resolve the host name (\(why)); check the inventory or DNS"
    case .connectionRefused:
      text = "connection refused: nothing listens on the SSH port; check the port and that sshd runs"
    case .unreachable(let why):
      text = "cannot connect (\(why)); check routing and firewalls"
    case .timedOut(let phase, let seconds):
      let hint: String
      switch phase {
      case .connect: hint = "the host or a firewall drops packets"
      case .handshake: hint = "something accepted TCP but did not speak SSH in time"
      case .authentication: hint = "the server did not answer authentication in time"
      case .command: hint = "the command did not finish; raise --timeout or check the host's load"
      case .resolve: hint = "DNS did not answer"
      }
      text = "timed out in the \(phase.rawValue) phase after \(seconds)s (\(hint))"
    case .hostKeyUnknown(let type, let fingerprint):
      text = "host key unknown (\(type) \(fingerprint)); verify it and add it to known_hosts, or scan with --host-key-check accept-new"
    case .hostKeyChanged(let type, let fingerprint, let lines, let path):
      text = "HOST KEY CHANGED: the host presented \(type) \(fingerprint), which does not match \(path) line \(lines.map(String.init).joined(separator: ", ")); refusing. If the change is expected, remove the old line (ssh-keygen -R)"
    case .hostKeyRevoked(let fingerprint, let line):
      text = "host key \(fingerprint) is marked @revoked in known_hosts line \(line); refusing"
    case .hostCertificateUnsupported:
      text = "known_hosts trusts this host only through @cert-authority, and libssh2 1.10 cannot check host certificates; add the host's own key to known_hosts"
    case .authenticationFailed(let tried, let accepts):
      text = "authentication failed (tried: \(tried.isEmpty ? "nothing" : tried.joined(separator: ", ")); server accepts: \(accepts.isEmpty ? "unknown" : accepts.joined(separator: ", "))); check the user and that the key is in authorized_keys"
    case .rsaKeyUnsupported(let path):
      text = "\(path) is an RSA key: this libssh2 (1.10) can only sign with ssh-rsa (SHA-1), which OpenSSH 8.8+ refuses; use an ed25519 or ECDSA key (ssh-keygen -t ed25519)"
    case .identityUnreadable(let path, let reason):
      text = "cannot use identity \(path): \(reason)"
    case .algorithmIncompatible(let why):
      text = "no algorithm in common with the server (\(why)); libssh2 1.10 lacks chacha20, AES-GCM, -etm MACs and rsa-sha2"
    case .channelRefused(let why):
      text = "the server refused to run the command (\(why)); check the user's shell and sshd's limits"
    case .connectionLost(let phase, let why):
      text = "connection lost during \(phase.rawValue) (\(why))"
    case .cancelled:
      text = "cancelled"
    case .internalFailure(let why):
      text = "internal error: \(why)"
    }
    if let message = libssh2Message, !message.isEmpty, case .internalFailure = kind {
      text += " [libssh2 \(libssh2Code ?? 0): \(message)]"
    }
    return who + text
  }
}
