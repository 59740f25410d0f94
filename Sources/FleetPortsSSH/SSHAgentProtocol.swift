/// The ssh-agent protocol messages fleetports speaks (draft-miller-ssh-agent §4.4–4.5, as
/// OpenSSH's ssh-agent implements it): listing the keys and asking for a signature. Pure, so
/// the framing is tested without an agent; `SSHAgentConnection` does the I/O.
enum SSHAgentProtocol {
  static let failure: UInt8 = 5
  static let requestIdentities: UInt8 = 11
  static let identitiesAnswer: UInt8 = 12
  static let signRequest: UInt8 = 13
  static let signResponse: UInt8 = 14
  /// Replies larger than this are refused (OpenSSH's agent caps messages at 256 KiB).
  static let maximumMessage = 256 * 1024

  /// One key the agent holds.
  struct Identity: Hashable, Sendable {
    /// The public key blob (`string type, …`), as authorized_keys holds it.
    var blob: [UInt8]
    var comment: String
  }

  /// `message` with its uint32 length in front, as it goes on the socket.
  static func framed(_ message: [UInt8]) -> [UInt8] { SSHWire.uint32(UInt32(message.count)) + message }

  /// SSH_AGENTC_REQUEST_IDENTITIES.
  static func identitiesRequest() -> [UInt8] { [requestIdentities] }

  /// The keys in an SSH_AGENT_IDENTITIES_ANSWER (`reply` without its length); nil for a
  /// failure or a malformed reply.
  static func identities(in reply: [UInt8]) -> [Identity]? {
    var reader = SSHWireReader(reply)
    guard reader.byte() == identitiesAnswer, let count = reader.uint32(), count <= 4096 else { return nil }
    var keys: [Identity] = []
    for _ in 0..<count {
      guard let blob = reader.string(), let comment = reader.string() else { return nil }
      keys.append(Identity(blob: blob, comment: String(decoding: comment, as: UTF8.self)))
    }
    return reader.atEnd ? keys : nil
  }

  /// SSH_AGENTC_SIGN_REQUEST for `data` with the key `blob`; `flags` picks an RSA signature.
  static func signatureRequest(blob: [UInt8], data: [UInt8], flags: UInt32) -> [UInt8] {
    [signRequest] + SSHWire.string(blob) + SSHWire.string(data) + SSHWire.uint32(flags)
  }

  /// The signature in an SSH_AGENT_SIGN_RESPONSE: its algorithm name and the raw signature
  /// (what libssh2 wraps with the name again); nil for a failure or a malformed reply.
  static func signature(in reply: [UInt8]) -> (algorithm: String, signature: [UInt8])? {
    var reader = SSHWireReader(reply)
    guard reader.byte() == signResponse, let blob = reader.string(), reader.atEnd else { return nil }
    var inner = SSHWireReader(blob)
    guard let name = inner.string(), let signature = inner.string(), inner.atEnd else { return nil }
    return (String(decoding: name, as: UTF8.self), signature)
  }
}
