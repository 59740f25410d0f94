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
  /// The order and the messages come from `AuthenticationPlan`.
  func authenticate(until deadline: ContinuousClock.Instant) async throws(SSHError) {
    guard let session else { throw SSHError(.internalFailure("no session")) }
    let user = target.user
    let plan = AuthenticationPlan(credentials: client.credentials)
    var tried: [String] = []
    for step in plan.steps {
      switch step {
      case .identity(let identity):
        tried.append(AuthenticationPlan.label(identityPath: identity.path))
        let rc = try await offer(identity, session: session, user: user, until: deadline)
        switch AuthenticationPlan.outcome(of: rc, peerClosed: await peerClosed(after: rc, until: deadline)) {
        case .authenticated: return
        case .refused: continue
        case .connectionLost: throw failure(AuthenticationPlan.connectionBroke(tried: tried, libssh2Message: lastError()), rc)
        case .keyUnusable: throw failure(AuthenticationPlan.unusable(path: identity.path, libssh2Message: lastError()), rc)
        }
      case .agent(let socketPath):
        if try await authenticateWithAgent(session, plan: plan, socketPath: socketPath, until: deadline, tried: &tried) { return }
      }
    }
    // Only for the message, so best effort: the server may already have hung up (a failed
    // "none" can be the attempt that reaches MaxAuthTries).
    let serverMethods = (try? await methodsAfterFailure(session, user: user, until: deadline)) ?? []
    if libssh2_userauth_authenticated(session) == 1 { return }  // the server let "none" in
    throw SSHError(plan.failure(tried: tried, serverAccepts: serverMethods))
  }

  /// One identity file: Ed25519 signed in-process, anything else through libssh2.
  /// - Returns: libssh2's return code, for `AuthenticationPlan.outcome(of:)`.
  func offer(_ identity: SSHIdentity, session: OpaquePointer, user: String, until deadline: ContinuousClock.Instant) async throws(SSHError) -> Int32 {
    let userLength = UInt32(user.utf8.count)
    if let signer = identity.signer {
      var abstract: UnsafeMutableRawPointer? = signer.key
      return try await drive(.authentication, until: deadline) {
        signer.publicBlob.withUnsafeBufferPointer { blob in
          cfleet_userauth_ed25519(session, user, userLength, blob.baseAddress, blob.count, &abstract)
        }
      }
    }
    let key = identity.privateKey
    return try await drive(.authentication, until: deadline) {
      key.withUnsafeBufferPointer { bytes in
        bytes.withMemoryRebound(to: CChar.self) { chars in
          libssh2_userauth_publickey_frommemory(
            session, user, Int(userLength), nil, 0, chars.baseAddress, chars.count, identity.passphrase)
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

  /// ssh-agent. libssh2 talks to the agent over a blocking Unix socket: connecting, listing
  /// the keys and every signature block until the agent answers. Those calls run on the
  /// `BlockingCallThread`, never on the cooperative pool; the network part waits on the
  /// reactor as usual.
  func authenticateWithAgent(
    _ session: OpaquePointer, plan: AuthenticationPlan, socketPath: String, until deadline: ContinuousClock.Instant,
    tried: inout [String]
  ) async throws(SSHError) -> Bool {
    guard let agent = libssh2_agent_init(session) else { return false }
    defer {
      libssh2_agent_disconnect(agent)
      libssh2_agent_free(agent)
    }
    libssh2_agent_set_identity_path(agent, socketPath)
    let handle = UnsafeTransfer(value: agent)
    let listed = try await BlockingCallThread.shared.run {
      libssh2_agent_connect(handle.value) == 0 && libssh2_agent_list_identities(handle.value) == 0
    }
    guard listed else { return false }
    let user = target.user
    var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
    var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
    while libssh2_agent_get_identity(agent, &identity, previous) == 0, let current = identity {
      previous = current
      let blob = current.pointee.blob.map { Array(UnsafeBufferPointer(start: $0, count: Int(current.pointee.blob_len))) } ?? []
      if !plan.offers(agentBlob: blob) { continue }
      let comment = current.pointee.comment.map { String(cString: $0) } ?? "agent key"
      tried.append(AuthenticationPlan.label(agentKey: comment))
      let attempt = UnsafeTransfer(value: (agent: agent, key: current))
      while true {
        // The attempt that gets the server's go-ahead signs through the agent, so every try
        // of the call runs on the blocking-call thread.
        let rc = try await BlockingCallThread.shared.run { libssh2_agent_userauth(attempt.value.agent, user, attempt.value.key) }
        if rc == LIBSSH2_ERROR_EAGAIN {
          try await waitForSession(.authentication, until: deadline)
          continue
        }
        switch AuthenticationPlan.outcome(of: rc, peerClosed: await peerClosed(after: rc, until: deadline)) {
        case .authenticated: return true
        case .connectionLost:
          throw failure(AuthenticationPlan.connectionBroke(tried: tried, libssh2Message: lastError()), rc)
        case .refused, .keyUnusable: break
        }
        break
      }
    }
    return false
  }
}
