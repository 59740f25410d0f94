import CLibSSH2
import Foundation

/// Which credentials a login offers and in what order, how each attempt's answer is taken,
/// and how a refused login is explained. Pure, so the order, the RSA rule and the wording
/// are tested without a server; `SSHConnection.authenticate` carries it out.
///
/// The order: for each identity file its certificate (when libssh2 can sign it) and then the
/// key, RSA keys as the first RSA signature (`rsa-sha2-512`); then every ssh-agent key. libssh2
/// 1.10 cannot learn which RSA signatures the server takes (it never asks for
/// `server-sig-algs`), so the other RSA signatures (`rsa-sha2-256`) come last, RSA keys only:
/// a server that refuses SHA-512 costs those extra attempts only after every other key was
/// refused, never a MaxAuthTries slot another key needed.
struct AuthenticationPlan {
  /// One thing offered to the server.
  enum Step {
    /// An identity file, signed in-process (Ed25519, RSA as `rsa`) or by libssh2 (the rest).
    case identity(SSHIdentity, rsa: RSASignature?)
    /// An identity file's certificate (ECDSA: libssh2 1.10 signs those right; Ed25519 and RSA
    /// ones only when `SSHCredentials.offersUnsignableCertificates`).
    case certificate(SSHIdentity)
    /// The keys ssh-agent holds, in the agent's order, RSA keys signed as `rsa`; with
    /// `onlyRSA` just the RSA keys (the later pass of another RSA signature).
    case agent(socketPath: String, rsa: RSASignature, onlyRSA: Bool)
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

  let steps: [Step]
  /// The public key blobs of the identity files and their certificates: an agent key equal
  /// to one was offered already.
  let fileBlobs: Set<[UInt8]>
  /// RSA identity files fleetports cannot sign itself (it cannot read them: encrypted, or an
  /// unknown format), left out: libssh2 1.10 would sign them with SHA-1 (`ssh-rsa`), which
  /// OpenSSH 8.8 and later refuse, so offering them would only cost attempts.
  let skippedRSA: [String]
  /// Certificates left out because libssh2 1.10 cannot sign with them (Ed25519 and RSA ones).
  let skippedCertificates: [String]

  init(credentials: SSHCredentials) {
    let first = credentials.rsaSignatures.first ?? .sha512
    let later = credentials.rsaSignatures.dropFirst()
    var steps: [Step] = []
    var rsaKeys: [SSHIdentity] = []
    var skipped: [String] = []
    var skippedCertificates: [String] = []
    for identity in credentials.identities {
      if let certificate = identity.certificate {
        if PublicKeyAlgorithm.libssh2CanSign(certificate.keyType) || credentials.offersUnsignableCertificates {
          steps.append(.certificate(identity))
        } else {
          skippedCertificates.append(certificate.path)
        }
      }
      if identity.signer?.kind == .rsa {
        steps.append(.identity(identity, rsa: first))
        rsaKeys.append(identity)
      } else if IdentityKind.isRSA(identity.privateKey) {
        skipped.append(identity.path)
      } else {
        steps.append(.identity(identity, rsa: nil))
      }
    }
    if let socketPath = credentials.agentSocket { steps.append(.agent(socketPath: socketPath, rsa: first, onlyRSA: false)) }
    for signature in later {
      steps += rsaKeys.map { .identity($0, rsa: signature) }
      if let socketPath = credentials.agentSocket { steps.append(.agent(socketPath: socketPath, rsa: signature, onlyRSA: true)) }
    }
    self.steps = steps
    skippedRSA = skipped
    self.skippedCertificates = skippedCertificates
    fileBlobs = Set(credentials.identities.compactMap(\.publicBlob) + credentials.identities.compactMap(\.certificate?.blob))
  }

  /// Whether an agent key is worth offering: not when an identity file holds the same key
  /// (OpenSSH offers such a key once, too; every extra offer counts towards MaxAuthTries), nor
  /// a certificate libssh2 1.10 cannot sign with, nor (in the RSA-only pass) a key of another type.
  /// - Parameters:
  ///   - agentBlob: the key's public blob as the agent lists it.
  ///   - onlyRSA: the step's `onlyRSA`.
  /// - Returns: false when the key is not to be offered.
  func offers(agentBlob: [UInt8], onlyRSA: Bool = false) -> Bool {
    guard !fileBlobs.contains(agentBlob), let keyType = PublicKeyAlgorithm.keyType(of: agentBlob) else { return false }
    if onlyRSA { return keyType == "ssh-rsa" }
    return PublicKeyAlgorithm.libssh2CanSign(keyType)
  }

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

  /// The entry for an identity file in the list of what was tried; an RSA key names its signature.
  static func label(identityPath path: String, rsa: RSASignature? = nil) -> String {
    "publickey \(path)" + (rsa.map { " (\($0.rawValue))" } ?? "")
  }

  /// The entry for a certificate in the list of what was tried.
  static func label(certificatePath path: String) -> String { "certificate \(path)" }

  /// The entry for an agent key (its comment) in the list of what was tried; an RSA key names its signature.
  static func label(agentKey comment: String, rsa: RSASignature? = nil) -> String {
    "agent \(comment)" + (rsa.map { " (\($0.rawValue))" } ?? "")
  }

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
  /// - Returns: `.rsaKeyUnsupported` when unreadable RSA keys were all there was (that, not the
  ///   server, is the reason); otherwise `.authenticationFailed` listing what was left out too.
  func failure(tried: [String], serverAccepts: [String]) -> SSHError.Kind {
    if tried.isEmpty, let rsa = skippedRSA.first { return .rsaKeyUnsupported(path: rsa) }
    let left = skippedRSA.map { "\($0) (RSA, skipped)" } + skippedCertificates.map { "\($0) (certificate, skipped: libssh2 1.10 cannot sign it)" }
    return .authenticationFailed(tried: tried + left, serverAccepts: serverAccepts)
  }
}
