import Synchronization

/// Keys decrypted once, when identities are loaded: libssh2 given a passphrase runs the key's
/// KDF again for every session (bcrypt_pbkdf with ssh-keygen's 16 rounds is about 0.2 s of
/// CPU), which costs minutes on a fleet. Decrypted here, the key takes the paths an
/// unencrypted key takes; the passphrase is not kept.
extension SSHIdentity {
  /// The identity for `privateKey`, decrypted now with `passphrase` when it is encrypted
  /// (`IdentityKind.isEncrypted`); an unencrypted key is taken as it is. The decrypted text
  /// stays in memory only (in the identity, for the scan) and is never written anywhere.
  /// - Parameters:
  ///   - path: the key file, for messages.
  ///   - privateKey: the file's bytes: OpenSSH format (kdf `bcrypt`, the ciphers `ssh-keygen
  ///     -Z` offers) or PEM (traditional `Proc-Type: 4,ENCRYPTED` or PKCS#8).
  ///   - passphrase: its passphrase.
  /// - Returns: an identity with the key unencrypted and no passphrase.
  /// - Throws: `KeyDecryptionError` (`.wrongPassphrase`, `.unsupported`, `.malformed`).
  public static func decrypting(path: String, privateKey: [UInt8], passphrase: String) throws(KeyDecryptionError) -> SSHIdentity {
    guard IdentityKind.isEncrypted(privateKey) else { return SSHIdentity(path: path, privateKey: privateKey) }
    let isOpenSSH = IdentityKind.openSSHContainer(String(decoding: privateKey, as: UTF8.self)) != nil
    let plain =
      isOpenSSH
      ? try OpenSSHKeyDecryption.decrypt(privateKey, passphrase: passphrase)
      : try PEMKeyDecryption.decrypt(privateKey, passphrase: passphrase)
    KeyDecryptionLog.record(path)
    return SSHIdentity(path: path, privateKey: plain)
  }
}

/// How many times this process has decrypted each key file: what shows that a scan of many
/// hosts decrypts a key once (tests read it; nothing else does).
public enum KeyDecryptionLog {
  private static let counts = Mutex<[String: Int]>([:])

  /// Decryptions of the key at `path` so far.
  public static func count(path: String) -> Int { counts.withLock { $0[path, default: 0] } }

  static func record(_ path: String) { counts.withLock { $0[path, default: 0] += 1 } }
}
