import CFleetShims

/// Decrypts a passphrase-protected PEM private key through OpenSSL: the traditional form
/// (`-----BEGIN RSA PRIVATE KEY-----` / `EC` / `DSA` with `Proc-Type: 4,ENCRYPTED` and
/// `DEK-Info`, what `ssh-keygen -m PEM -N …` and `openssl genrsa -aes256` write) and PKCS#8
/// (`-----BEGIN ENCRYPTED PRIVATE KEY-----`, `ssh-keygen -m PKCS8` or `openssl pkcs8 -topk8
/// -v2 …`). The result is the same key unencrypted, in the PEM form libssh2 1.10 reads.
enum PEMKeyDecryption {
  /// The key in `text` decrypted with `passphrase`.
  /// - Parameters:
  ///   - text: the key file's bytes.
  ///   - passphrase: its passphrase.
  /// - Returns: unencrypted PEM text (traditional for RSA, EC and DSA, PKCS#8 for others);
  ///   the caller owns it and should clear it when done.
  /// - Throws: `KeyDecryptionError`: `.wrongPassphrase` when OpenSSL reports a bad decrypt,
  ///   `.malformed` with OpenSSL's reason otherwise.
  static func decrypt(_ text: [UInt8], passphrase: String) throws(KeyDecryptionError) -> [UInt8] {
    var out: UnsafeMutablePointer<UInt8>?
    var length = 0
    var reason = [CChar](repeating: 0, count: 256)
    let status = cfleet_pem_decrypt(text, text.count, passphrase, &out, &length, &reason, reason.count)
    guard status == 0, let out else {
      let said = String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      // How OpenSSL 3.0 says a wrong passphrase: "bad decrypt" for the traditional form (the
      // CBC padding check), "pkcs12 cipherfinal error" for PKCS#8 (PBES2's final block).
      if said.contains("bad decrypt") || said.contains("cipherfinal error") { throw KeyDecryptionError(.wrongPassphrase) }
      throw KeyDecryptionError(.malformed(said.isEmpty ? "OpenSSL cannot read it" : "OpenSSL: \(said)"))
    }
    defer { cfleet_secure_free(out, length) }
    return Array(UnsafeBufferPointer(start: out, count: length))
  }
}
