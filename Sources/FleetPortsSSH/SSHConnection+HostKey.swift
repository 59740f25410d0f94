import CFleetShims
import CLibSSH2
import FleetPortsCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The SSH handshake and the host-key check against known_hosts.
extension SSHConnection {
  func handshake(until deadline: ContinuousClock.Instant) async throws(SSHError) {
    guard let newSession = cfleet_session_init() else { throw SSHError(.internalFailure("libssh2_session_init failed")) }
    session = newSession
    libssh2_session_set_blocking(newSession, 0)
    libssh2_keepalive_config(newSession, 0, UInt32(client.deadlines.keepalive.seconds.rounded()))
    // libssh2 1.10 prefers ECDSA; ask first for what known_hosts holds for this host, so an
    // ed25519-only entry is not mistaken for an unknown host.
    let known = client.knownHosts.keyTypes(host: target.knownHostsName, port: target.knownHostsPort)
    // ssh_config's HostKeyAlgorithms, when set, is the list to order.
    let supported =
      target.algorithms[.hostKey] ?? ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"]
    let preference = known.filter(supported.contains) + supported.filter { !known.contains($0) }
    _ = libssh2_session_method_pref(newSession, LIBSSH2_METHOD_HOSTKEY, preference.joined(separator: ","))
    // ssh_config's Ciphers, MACs and KexAlgorithms (already checked against what libssh2 speaks).
    for kind in [SSHAlgorithmKind.kex, .cipher, .mac] {
      guard let list = target.algorithms[kind], !list.isEmpty else { continue }
      for method in kind.methodTypes { _ = libssh2_session_method_pref(newSession, method, list.joined(separator: ",")) }
    }
    let rc = try await drive(.handshake, until: deadline) { libssh2_session_handshake(newSession, self.fd) }
    guard rc == 0 else {
      switch rc {
      case LIBSSH2_ERROR_KEX_FAILURE:
        throw failure(.algorithmIncompatible("key exchange failed: \(lastError())"), rc)
      case LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_SOCKET_RECV:
        throw failure(.connectionLost(.handshake, "the peer closed the connection before SSH started (\(lastError()))"), rc)
      default:
        throw failure(.connectionLost(.handshake, lastError()), rc)
      }
    }
  }

  /// Checks the presented key (see `HostKeyDecision`); returns its `SHA256:` fingerprint.
  func checkHostKey() throws(SSHError) -> String {
    guard let session else { throw SSHError(.internalFailure("no session")) }
    var length = 0
    var type: Int32 = 0
    guard let keyPointer = libssh2_session_hostkey(session, &length, &type), length > 0 else {
      throw SSHError(.internalFailure("the server sent no host key"))
    }
    let blob = Data(bytes: keyPointer, count: length)
    let keyBase64 = blob.base64EncodedString()
    let keyType = Self.keyTypeName(type)
    var fingerprint = "SHA256:?"
    if let hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256) {
      let digest = Data(bytes: hash, count: 32).base64EncodedString()
      fingerprint = "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }
    let store = client.knownHosts
    let presented = HostKeyDecision.PresentedKey(keyType: keyType, keyBase64: keyBase64, fingerprint: fingerprint)
    // HostKeyAlias: known_hosts is searched and written under the alias (no port), as ssh does.
    let (name, port) = (target.knownHostsName, target.knownHostsPort)
    let (verdict, file) = store.verify(host: name, port: port, keyType: keyType, keyBase64: keyBase64)
    let decision = HostKeyDecision.decide(
      checking: client.checking, recorded: store.recordedKey(host: name, port: port), verdict: verdict, presented: presented, knownHostsPath: file)
    switch decision {
    case .accept:
      return fingerprint
    case .record:
      try store.record(host: name, port: port, keyType: keyType, keyBase64: keyBase64)
      return fingerprint
    case .refuse(let kind):
      throw SSHError(kind)
    }
  }

  static func keyTypeName(_ type: Int32) -> String {
    switch type {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa"
    case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss"
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256"
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384"
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521"
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519"
    default: return "unknown"
    }
  }
}
