import CFleetShims
import CLibSSH2

/// The algorithm families a session negotiates, as ssh_config names them.
public enum SSHAlgorithmKind: String, Sendable, Hashable, CaseIterable {
  case kex = "kexalgorithms"
  case hostKey = "hostkeyalgorithms"
  case cipher = "ciphers"
  case mac = "macs"

  /// The ssh_config keyword as ssh_config(5) spells it.
  public var optionName: String {
    switch self {
    case .kex: return "KexAlgorithms"
    case .hostKey: return "HostKeyAlgorithms"
    case .cipher: return "Ciphers"
    case .mac: return "MACs"
    }
  }

  /// libssh2's method types for this family (both directions for ciphers and MACs).
  var methodTypes: [Int32] {
    switch self {
    case .kex: return [LIBSSH2_METHOD_KEX]
    case .hostKey: return [LIBSSH2_METHOD_HOSTKEY]
    case .cipher: return [LIBSSH2_METHOD_CRYPT_CS, LIBSSH2_METHOD_CRYPT_SC]
    case .mac: return [LIBSSH2_METHOD_MAC_CS, LIBSSH2_METHOD_MAC_SC]
    }
  }
}

/// What the installed libssh2 speaks, asked once per process (`libssh2_session_supported_algs`).
public enum SSHAlgorithms {
  /// The algorithms of `kind` in libssh2's own order of preference; empty if libssh2 cannot say.
  public static func supported(_ kind: SSHAlgorithmKind) -> [String] { table[kind] ?? [] }

  static let table: [SSHAlgorithmKind: [String]] = {
    guard libssh2Ready == 0, let session = cfleet_session_init() else { return [:] }
    defer { libssh2_session_free(session) }
    var result: [SSHAlgorithmKind: [String]] = [:]
    for kind in SSHAlgorithmKind.allCases {
      var list: UnsafeMutablePointer<UnsafePointer<CChar>?>?
      let count = libssh2_session_supported_algs(session, kind.methodTypes[0], &list)
      guard count > 0, let list else { continue }
      result[kind] = (0..<Int(count)).compactMap { list[$0].map { String(cString: $0) } }
      libssh2_free(session, list)
    }
    return result
  }()
}
