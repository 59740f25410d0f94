import CFleetShims
import CLibSSH2
import FleetPortsCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Logging in: identities (Ed25519 and RSA signed in-process, others through libssh2),
/// certificates and ssh-agent.
extension SSHConnection {
  /// Offers the identities straight away: asking the server for its methods first (a "none"
  /// request) costs a round trip every host pays, so that list is fetched only to explain a
  /// failure. (libssh2 1.10 still asks whether a key is acceptable before signing with it.)
  /// The order and the messages come from `AuthenticationPlan`.
  func authenticate(until deadline: ContinuousClock.Instant) async throws(SSHError) {
    guard let session else { throw SSHError(.internalFailure("no session")) }
    let user = target.user
    let plan = AuthenticationPlan(credentials: client.credentials)
    var tried: [String] = []
    for step in plan.steps {
      // The key file a failure to load blames (a certificate's too).
      let keyPath: String
      let rc: Int32
      switch step {
      case .identity(let identity, let rsa):
        keyPath = identity.path
        tried.append(AuthenticationPlan.label(identityPath: identity.path, rsa: rsa))
        rc = try await offer(identity, rsa: rsa ?? .sha512, session: session, user: user, until: deadline)
      case .certificate(let identity):
        keyPath = identity.path
        tried.append(AuthenticationPlan.label(certificatePath: identity.certificate?.path ?? identity.path))
        rc = try await offerCertificate(identity, session: session, user: user, until: deadline)
      case .agent(let socketPath, let rsa, let onlyRSA):
        let agent = AgentStep(socketPath: socketPath, rsa: rsa, onlyRSA: onlyRSA)
        if try await authenticateWithAgent(session, plan: plan, step: agent, until: deadline, tried: &tried) { return }
        continue
      }
      switch AuthenticationPlan.outcome(of: rc, peerClosed: await peerClosed(after: rc, until: deadline)) {
      case .authenticated: return
      case .refused: continue
      case .connectionLost: throw failure(AuthenticationPlan.connectionBroke(tried: tried, libssh2Message: lastError()), rc)
      case .keyUnusable: throw failure(AuthenticationPlan.unusable(path: keyPath, libssh2Message: lastError()), rc)
      }
    }
    // Only for the message, so best effort: the server may already have hung up (a failed
    // "none" can be the attempt that reaches MaxAuthTries).
    let serverMethods = (try? await methodsAfterFailure(session, user: user, until: deadline)) ?? []
    if libssh2_userauth_authenticated(session) == 1 { return }  // the server let "none" in
    throw SSHError(plan.failure(tried: tried, serverAccepts: serverMethods))
  }

  /// One identity file: Ed25519 and RSA signed in-process, anything else through libssh2.
  /// An RSA key goes as the blob renamed to `rsa` (see `PublicKeyAlgorithm`).
  /// - Returns: libssh2's return code, for `AuthenticationPlan.outcome(of:)`.
  func offer(_ identity: SSHIdentity, rsa: RSASignature, session: OpaquePointer, user: String, until deadline: ContinuousClock.Instant) async throws(SSHError) -> Int32 {
    if let signer = identity.signer {
      let blob = signer.kind == .rsa ? PublicKeyAlgorithm.renamed(signer.publicBlob, to: rsa.rawValue) : signer.publicBlob
      return try await offerSigned(blob, signer: signer, rsa: rsa, session: session, user: user, until: deadline)
    }
    return try await offerThroughLibssh2(identity, publicKey: nil, session: session, user: user, until: deadline)
  }

  /// An identity's certificate: its blob as it is (a certificate cannot be renamed), signed
  /// in-process or, for ECDSA keys, with the private key loaded by libssh2. Only ECDSA ones log
  /// in through libssh2 1.10 (see `PublicKeyAlgorithm.libssh2CanSign`).
  func offerCertificate(_ identity: SSHIdentity, session: OpaquePointer, user: String, until deadline: ContinuousClock.Instant) async throws(SSHError) -> Int32 {
    if let signer = identity.signer, let certificate = identity.certificate {
      return try await offerSigned(certificate.blob, signer: signer, rsa: .sha512, session: session, user: user, until: deadline)
    }
    return try await offerThroughLibssh2(identity, publicKey: identity.certificate?.text, session: session, user: user, until: deadline)
  }

  /// `blob` offered and signed by `signer` (RSA with the hash of `rsa`).
  func offerSigned(
    _ blob: [UInt8], signer: InProcessSigner, rsa: RSASignature, session: OpaquePointer, user: String, until deadline: ContinuousClock.Instant
  ) async throws(SSHError) -> Int32 {
    let userLength = UInt32(user.utf8.count)
    var abstract: UnsafeMutableRawPointer? = signer.key
    let kind: cfleet_signer
    switch (signer.kind, rsa) {
    case (.ed25519, _): kind = CFLEET_SIGN_ED25519
    case (.rsa, .sha512): kind = CFLEET_SIGN_RSA_SHA512
    case (.rsa, .sha256): kind = CFLEET_SIGN_RSA_SHA256
    case (.rsa, .sha1): kind = CFLEET_SIGN_RSA_SHA1
    }
    return try await drive(.authentication, until: deadline) {
      withExtendedLifetime(signer) {
        blob.withUnsafeBufferPointer { bytes in
          cfleet_userauth_signed(session, user, userLength, bytes.baseAddress, bytes.count, kind, &abstract)
        }
      }
    }
  }

  /// libssh2 loads the private key (and takes `publicKey`, a public key line, as what to offer).
  func offerThroughLibssh2(
    _ identity: SSHIdentity, publicKey: [UInt8]?, session: OpaquePointer, user: String, until deadline: ContinuousClock.Instant
  ) async throws(SSHError) -> Int32 {
    let key = identity.privateKey
    let publicText = publicKey ?? []
    return try await drive(.authentication, until: deadline) {
      key.withUnsafeBufferPointer { bytes in
        bytes.withMemoryRebound(to: CChar.self) { chars in
          publicText.withUnsafeBufferPointer { publicBytes in
            publicBytes.withMemoryRebound(to: CChar.self) { publicChars in
              libssh2_userauth_publickey_frommemory(
                session, user, Int(user.utf8.count), publicChars.isEmpty ? nil : publicChars.baseAddress, publicChars.count,
                chars.baseAddress, chars.count, identity.passphrase)
            }
          }
        }
      }
    }
  }

  /// True when the server has closed the connection after attempt `rc`. libssh2 1.10
  /// reports an attempt whose answer never came (sshd sends its disconnect at MaxAuthTries)
  /// as an unverified key, "Waiting for USERAUTH response", so only then is the socket
  /// itself asked: a peek that reads end-of-file, waiting at most a second for the close that
  /// follows the disconnect message.
  func peerClosed(after rc: Int32, until deadline: ContinuousClock.Instant) async -> Bool {
    guard rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED else { return false }
    guard fd >= 0 else { return true }
    func peek() -> Int {
      var byte: UInt8 = 0
      return recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
    }
    var got = peek()
    if got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
      _ = try? await Reactor.shared.wait(fd: fd, for: .readable, until: min(deadline, clock.now + .seconds(1)))
      got = peek()
    }
    return got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
  }

  /// The methods the server offers (a "none" request), for the error message.
  func methodsAfterFailure(_ session: OpaquePointer, user: String, until deadline: ContinuousClock.Instant) async throws(SSHError) -> [String] {
    while true {
      if let list = libssh2_userauth_list(session, user, UInt32(user.utf8.count)) {
        return String(cString: list).split(separator: ",").map(String.init)
      }
      if libssh2_userauth_authenticated(session) == 1 { return [] }
      let code = libssh2_session_last_errno(session)
      guard code == LIBSSH2_ERROR_EAGAIN else {
        throw failure(.connectionLost(.authentication, lastError()), code)
      }
      try await waitForSession(.authentication, until: deadline)
    }
  }
}
