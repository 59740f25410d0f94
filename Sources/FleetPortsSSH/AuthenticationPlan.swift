import CLibSSH2
import Foundation

/// Which credentials a login offers and in what order, how each attempt's answer is taken,
/// and how a refused login is explained. Pure, so the order, the RSA rule and the wording
/// are tested without a server; `SSHConnection.authenticate` carries it out.
struct AuthenticationPlan {
  /// One thing offered to the server.
  enum Step {
    /// An identity file, signed in-process (Ed25519) or by libssh2.
    case identity(SSHIdentity)
    /// Every key ssh-agent holds, in the agent's order.
    case agent(socketPath: String)
  }

  /// How one attempt ended, from libssh2's return code.
  enum AttemptOutcome: Hashable, Sendable {
    case authenticated
    /// The server did not take this key: try the next step.
    case refused
    /// The connection broke: stop.
    case connectionLost
    /// libssh2 could not load or use the key itself (wrong passphrase, unsupported format):
    /// stop, and blame the key rather than the server.
    case keyUnusable
  }

  /// The identity files in the order given, then ssh-agent when a socket is set.
  let steps: [Step]
  /// The public key blobs of the identity files: an agent key equal to one was offered already.
  let fileBlobs: Set<[UInt8]>
  /// RSA identity files, left out: libssh2 1.10 signs RSA only with SHA-1 (`ssh-rsa`),
  /// which OpenSSH 8.8 and later refuse, so offering them would only cost round trips.
  let skippedRSA: [String]

  init(credentials: SSHCredentials) {
    var steps: [Step] = []
    var skipped: [String] = []
    for identity in credentials.identities {
      if IdentityKind.isRSA(identity.privateKey) {
        skipped.append(identity.path)
      } else {
        steps.append(.identity(identity))
      }
    }
    if let socketPath = credentials.agentSocket { steps.append(.agent(socketPath: socketPath)) }
    self.steps = steps
    skippedRSA = skipped
    fileBlobs = Set(credentials.identities.compactMap(\.publicBlob))
  }

  /// Whether an agent key is worth offering: not when an identity file holds the same key
  /// (OpenSSH offers such a key once, too; every extra offer counts towards MaxAuthTries).
  /// - Parameter agentBlob: the key's public blob as the agent lists it.
  /// - Returns: false when the same blob came from an identity file.
  func offers(agentBlob: [UInt8]) -> Bool { !fileBlobs.contains(agentBlob) }

  /// The error when the connection broke during authentication.
  /// - Parameters:
  ///   - tried: what was offered, the attempt that broke last.
  ///   - libssh2Message: libssh2's words for the break.
  /// - Returns: `.tooManyAuthenticationFailures` when keys had been refused before, or the
  ///   server said so (sshd's MaxAuthTries hangs up on the attempt past its limit);
  ///   `.connectionLost` otherwise.
  static func connectionBroke(tried: [String], libssh2Message: String) -> SSHError.Kind {
    if tried.count > 1 || libssh2Message.localizedCaseInsensitiveContains("too many authentication failures") {
      return .tooManyAuthenticationFailures(offered: tried)
    }
    return .connectionLost(.authentication, libssh2Message)
  }

  /// The entry for an identity file in the list of what was tried.
  static func label(identityPath path: String) -> String { "publickey \(path)" }

  /// The entry for an agent key (its comment) in the list of what was tried.
  static func label(agentKey comment: String) -> String { "agent \(comment)" }

  /// How libssh2's return code `rc` of a public-key attempt is taken.
  /// - Parameters:
  ///   - rc: libssh2's return code.
  ///   - peerClosed: the server had closed the connection when the attempt ended (libssh2
  ///     1.10 reports that as a refused key when sshd hangs up at MaxAuthTries).
  /// - Returns: what the attempt means for the next step.
  static func outcome(of rc: Int32, peerClosed: Bool = false) -> AttemptOutcome {
    if rc != 0 && peerClosed { return .connectionLost }
    switch rc {
    case 0: return .authenticated
    case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED: return .refused
    case LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_TIMEOUT: return .connectionLost
    default: return .keyUnusable
    }
  }

  /// The error for an identity file libssh2 could not use, with libssh2's own words.
  static func unusable(path: String, libssh2Message: String) -> SSHError.Kind {
    .identityUnreadable(path: path, reason: "\(libssh2Message) — wrong passphrase or unsupported key format?")
  }

  /// The error when every step was refused.
  /// - Parameters:
  ///   - tried: what was offered, in order (`label(identityPath:)`, `label(agentKey:)`).
  ///   - serverAccepts: the methods the server named, or empty when unknown.
  /// - Returns: `.rsaKeyUnsupported` when RSA keys were all there was (that, not the server,
  ///   is the reason); otherwise `.authenticationFailed` listing the skipped RSA keys too.
  func failure(tried: [String], serverAccepts: [String]) -> SSHError.Kind {
    if tried.isEmpty, let rsa = skippedRSA.first { return .rsaKeyUnsupported(path: rsa) }
    return .authenticationFailed(tried: tried + skippedRSA.map { "\($0) (RSA, skipped)" }, serverAccepts: serverAccepts)
  }
}
