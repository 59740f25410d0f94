import CFleetShims
import CLibSSH2
import FleetPortsCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Logging in: identities (Ed25519 signed in-process, others through libssh2) and ssh-agent.
extension SSHConnection {
  /// Offers the identities straight away: asking the server for its methods first (a "none"
  /// request) costs a round trip every host pays, so that list is fetched only to explain a
  /// failure. (libssh2 1.10 still asks whether a key is acceptable before signing with it.)
  func authenticate(until deadline: ContinuousClock.Instant) async throws(SSHError) {
    guard let session else { throw SSHError(.internalFailure("no session")) }
    let user = target.user
    let userLength = UInt32(user.utf8.count)
    var tried: [String] = []
    var rsaPaths: [String] = []
    for identity in client.credentials.identities {
      if IdentityKind.isRSA(identity.privateKey) {
        rsaPaths.append(identity.path)
        continue
      }
      tried.append("publickey \(identity.path)")
      let key = identity.privateKey
      let rc: Int32
      if let signer = identity.signer {
        var abstract: UnsafeMutableRawPointer? = signer.key
        rc = try await drive(.authentication, until: deadline) {
          signer.publicBlob.withUnsafeBufferPointer { blob in
            cfleet_userauth_ed25519(session, user, userLength, blob.baseAddress, blob.count, &abstract)
          }
        }
      } else {
        rc = try await drive(.authentication, until: deadline) {
          key.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
              libssh2_userauth_publickey_frommemory(
                session, user, Int(userLength), nil, 0, chars.baseAddress, chars.count, identity.passphrase)
            }
          }
        }
      }
      if rc == 0 { return }
      if rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED || rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED { continue }
      if [LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_TIMEOUT].contains(rc) {
        throw failure(.connectionLost(.authentication, lastError()), rc)
      }
      // Anything else is libssh2 failing to load or use the key itself (wrong passphrase,
      // unsupported format): say so instead of blaming the server.
      throw failure(.identityUnreadable(path: identity.path, reason: "\(lastError()) — wrong passphrase or unsupported key format?"), rc)
    }
    if let socketPath = client.credentials.agentSocket, try await authenticateWithAgent(session, socketPath: socketPath, until: deadline, tried: &tried) {
      return
    }
    // Only for the message, so best effort: the server may already have hung up (a failed
    // "none" can be the attempt that reaches MaxAuthTries).
    let serverMethods = (try? await methodsAfterFailure(session, user: user, until: deadline)) ?? []
    if libssh2_userauth_authenticated(session) == 1 { return }  // the server let "none" in
    if tried.isEmpty, let rsa = rsaPaths.first {
      throw SSHError(.rsaKeyUnsupported(path: rsa))
    }
    throw SSHError(.authenticationFailed(tried: tried + rsaPaths.map { "\($0) (RSA, skipped)" }, serverAccepts: serverMethods))
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

  /// ssh-agent: its socket is local and blocking in libssh2; the network part is not.
  func authenticateWithAgent(_ session: OpaquePointer, socketPath: String, until deadline: ContinuousClock.Instant, tried: inout [String]) async throws(SSHError) -> Bool {
    guard let agent = libssh2_agent_init(session) else { return false }
    defer {
      libssh2_agent_disconnect(agent)
      libssh2_agent_free(agent)
    }
    libssh2_agent_set_identity_path(agent, socketPath)
    guard libssh2_agent_connect(agent) == 0, libssh2_agent_list_identities(agent) == 0 else { return false }
    var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
    var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
    while libssh2_agent_get_identity(agent, &identity, previous) == 0, let current = identity {
      let comment = current.pointee.comment.map { String(cString: $0) } ?? "agent key"
      tried.append("agent \(comment)")
      let rc = try await drive(.authentication, until: deadline) { libssh2_agent_userauth(agent, self.target.user, current) }
      if rc == 0 { return true }
      previous = current
    }
    return false
  }
}
