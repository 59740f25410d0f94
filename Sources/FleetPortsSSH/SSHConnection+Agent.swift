import CLibSSH2
import Foundation

/// One pass over the keys ssh-agent holds (an `AuthenticationPlan.Step.agent`).
struct AgentStep {
  var socketPath: String
  /// The signature RSA keys are asked for.
  var rsa: RSASignature
  /// Only RSA keys (the later pass with another RSA signature).
  var onlyRSA: Bool
}

/// What the agent sign callback needs for one key: the agent, the key as the agent lists it,
/// the flags, and the name libssh2 puts on the signature (the agent's must be the same).
final class AgentSigning {
  let agent: SSHAgentConnection
  let blob: [UInt8]
  let flags: UInt32
  let algorithm: String

  init(agent: SSHAgentConnection, blob: [UInt8], flags: UInt32, algorithm: String) {
    self.agent = agent
    self.blob = blob
    self.flags = flags
    self.algorithm = algorithm
  }

  /// libssh2's sign callback: asks the agent (blocking; this runs on the blocking-call thread)
  /// and hands back the bare signature in memory from malloc, which libssh2 frees.
  /// `abstract` points at an unretained `AgentSigning`.
  static let callback:
    @convention(c) (
      OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, UnsafeMutablePointer<Int>?, UnsafePointer<UInt8>?, Int,
      UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> Int32 = { _, signature, signatureLength, data, dataLength, abstract in
      guard let signature, let signatureLength, let data, let context = abstract?.pointee else { return -1 }
      let signing = Unmanaged<AgentSigning>.fromOpaque(context).takeUnretainedValue()
      let message = Array(UnsafeBufferPointer(start: data, count: dataLength))
      guard let answer = signing.agent.sign(blob: signing.blob, data: message, flags: signing.flags), answer.algorithm == signing.algorithm,
        let copy = malloc(max(answer.signature.count, 1))
      else { return -1 }
      answer.signature.withUnsafeBytes { bytes in
        if let base = bytes.baseAddress { copy.copyMemory(from: base, byteCount: bytes.count) }
      }
      signature.pointee = copy.assumingMemoryBound(to: UInt8.self)
      signatureLength.pointee = answer.signature.count
      return 0
    }
}

extension SSHConnection {
  /// ssh-agent, spoken to directly (not through libssh2's agent code, which asks for `ssh-rsa`
  /// signatures only): the keys are listed, each offered through libssh2's sign callback, which
  /// asks the agent for the signature (RSA with the SHA-2 flag). The agent's socket blocks, so
  /// the listing and every try of an attempt run on the `BlockingCallThread`, never on the
  /// cooperative pool; the network part waits on the reactor as usual.
  /// - Returns: true when a key got in; false when the agent is unreachable or every key was refused.
  func authenticateWithAgent(
    _ session: OpaquePointer, plan: AuthenticationPlan, step: AgentStep, until deadline: ContinuousClock.Instant, tried: inout [String]
  ) async throws(SSHError) -> Bool {
    let socketPath = step.socketPath
    let listed = try await BlockingCallThread.shared.run { () -> UnsafeTransfer<(SSHAgentConnection, [SSHAgentProtocol.Identity])?> in
      guard let agent = SSHAgentConnection(socketPath: socketPath), let keys = agent.identities() else { return UnsafeTransfer(value: nil) }
      return UnsafeTransfer(value: (agent, keys))
    }
    guard let (agent, keys) = listed.value else { return false }
    let user = target.user
    for key in keys where plan.offers(agentBlob: key.blob, onlyRSA: step.onlyRSA) {
      guard let keyType = PublicKeyAlgorithm.keyType(of: key.blob) else { continue }
      let isRSA = keyType == "ssh-rsa"
      let offered = isRSA ? PublicKeyAlgorithm.renamed(key.blob, to: step.rsa.rawValue) : key.blob
      let signing = AgentSigning(
        agent: agent, blob: key.blob, flags: isRSA ? step.rsa.agentFlag : 0,
        algorithm: isRSA ? step.rsa.rawValue : PublicKeyAlgorithm.libssh2SignatureName(keyType))
      tried.append(AuthenticationPlan.label(agentKey: key.comment.isEmpty ? keyType : key.comment, rsa: isRSA ? step.rsa : nil))
      let attempt = UnsafeTransfer(value: (session: session, signing: signing))
      while true {
        // The attempt that gets the server's go-ahead signs through the agent, so every try
        // of the call runs on the blocking-call thread.
        let rc = try await BlockingCallThread.shared.run {
          var abstract: UnsafeMutableRawPointer? = Unmanaged.passUnretained(attempt.value.signing).toOpaque()
          return offered.withUnsafeBufferPointer { blob in
            libssh2_userauth_publickey(attempt.value.session, user, blob.baseAddress, blob.count, AgentSigning.callback, &abstract)
          }
        }
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
