import FleetPortsCore

/// What to do with the host key a server presented: the whole table of checking mode ×
/// a key recorded earlier in this run × known_hosts' verdict, as a pure function, so every
/// cell is tested without a server.
enum HostKeyDecision: Hashable, Sendable {
  /// Go on with the login.
  case accept
  /// accept-new meeting a host known_hosts does not name: append the key, then go on.
  case record
  /// Stop here with this error.
  case refuse(SSHError.Kind)

  /// The key the server presented.
  struct PresentedKey: Hashable, Sendable {
    var keyType: String
    var keyBase64: String
    /// `SHA256:…`, for messages.
    var fingerprint: String
  }

  /// Decides for `presented`.
  /// - Parameters:
  ///   - checking: the mode; `.off` accepts every key (it is still reported).
  ///   - recorded: the key accept-new recorded for this host earlier in this run (the file
  ///     on disk did not have the host then); it alone decides when present.
  ///   - verdict: known_hosts' judgement, evaluated only when needed (hashed names cost an
  ///     HMAC per line).
  ///   - presented: the key the server presented.
  ///   - knownHostsPath: the file named in the messages.
  /// - Returns: accept, or refuse with the error the host's row shows.
  static func decide(
    checking: HostKeyChecking, recorded: String?, verdict: @autoclosure () -> HostKeyVerdict, presented: PresentedKey, knownHostsPath: String
  ) -> HostKeyDecision {
    if checking == .off { return .accept }
    if let recorded {
      guard recorded == presented.keyBase64 else {
        return .refuse(.hostKeyChanged(keyType: presented.keyType, fingerprint: presented.fingerprint, knownLines: [], knownHostsPath: knownHostsPath))
      }
      return .accept
    }
    switch verdict() {
    case .trusted:
      return .accept
    case .changed(let lines, _):
      return .refuse(.hostKeyChanged(keyType: presented.keyType, fingerprint: presented.fingerprint, knownLines: lines, knownHostsPath: knownHostsPath))
    case .revoked(let line):
      return .refuse(.hostKeyRevoked(fingerprint: presented.fingerprint, line: line))
    case .certificateAuthorityUnsupported:
      return .refuse(.hostCertificateUnsupported)
    case .unknown:
      return checking == .acceptNew ? .record : .refuse(.hostKeyUnknown(keyType: presented.keyType, fingerprint: presented.fingerprint))
    }
  }
}
