/// Names of public key algorithms, and which of them libssh2 1.10 can carry.
///
/// libssh2 1.10's `libssh2_userauth_publickey` takes the algorithm name from the first string
/// of the public key blob it is given, sends that name with the blob, and puts the same name
/// on the signature (cutting an ECDSA certificate's name down to the plain ECDSA name, and
/// nothing else). OpenSSH reads the names `rsa-sha2-512` and `rsa-sha2-256` in a blob as an
/// RSA key, so an RSA blob renamed to one of them, signed with that hash, is a valid SHA-2
/// login; a certificate's blob cannot be renamed (its CA signature covers the name).
enum PublicKeyAlgorithm {
  /// The key type a public blob names (`ssh-ed25519`, `ssh-rsa`, `…-cert-v01@openssh.com`).
  static func keyType(of blob: [UInt8]) -> String? {
    var reader = SSHWireReader(blob)
    return reader.string().map { String(decoding: $0, as: UTF8.self) }
  }

  /// `blob` with its first string replaced by `name`.
  static func renamed(_ blob: [UInt8], to name: String) -> [UInt8] {
    var reader = SSHWireReader(blob)
    guard reader.string() != nil else { return blob }
    return SSHWire.string(name) + blob[reader.offset...]
  }

  /// The name libssh2 1.10 puts on the signature for a blob of `keyType`.
  static func libssh2SignatureName(_ keyType: String) -> String {
    keyType.hasPrefix("ecdsa-sha2-nistp") && keyType.hasSuffix("-cert-v01@openssh.com") ? String(keyType.prefix(19)) : keyType
  }

  /// Whether libssh2 1.10 signs a login with a key of `keyType` under a name OpenSSH takes:
  /// false for Ed25519 and RSA certificates, whose signatures it names after the certificate
  /// (`ssh-ed25519-cert-v01@openssh.com`), which sshd refuses. libssh2 1.11 names them right.
  static func libssh2CanSign(_ keyType: String) -> Bool {
    !libssh2SignatureName(keyType).hasSuffix("-cert-v01@openssh.com")
  }
}

/// The signature an RSA key makes. OpenSSH 8.8 and later accept the SHA-2 ones by default and
/// refuse `ssh-rsa`; libssh2 1.10 does not ask the server (no `server-sig-algs`), so the plan
/// tries SHA-512 first and SHA-256 only after every other key (see `AuthenticationPlan`).
enum RSASignature: String, Sendable, Hashable {
  case sha512 = "rsa-sha2-512"
  case sha256 = "rsa-sha2-256"
  /// SHA-1: refused by OpenSSH 8.8+; only the test that shows the refusal uses it.
  case sha1 = "ssh-rsa"

  /// The flag that asks ssh-agent for this signature (SSH_AGENT_RSA_SHA2_512 = 4, _256 = 2).
  var agentFlag: UInt32 {
    switch self {
    case .sha512: return 4
    case .sha256: return 2
    case .sha1: return 0
    }
  }
}
