import CFleetShims
import Foundation

/// A private key parsed once into OpenSSL and shared by every session: Ed25519 (libssh2 1.10
/// re-decodes a key file on every session, which costs more CPU than the rest of it) and RSA
/// (libssh2 1.10 signs RSA only as SHA-1 `ssh-rsa`, which OpenSSH 8.8+ refuses).
/// It is immutable after creation and OpenSSL 3 signs with one EVP_PKEY from several threads
/// at once, so sharing it is safe; that is why it may be `@unchecked Sendable`.
final class InProcessSigner: @unchecked Sendable {
  /// Which signatures the key makes.
  enum Kind: Sendable, Hashable {
    case ed25519
    case rsa
  }

  let kind: Kind
  /// The EVP_PKEY.
  let key: UnsafeMutableRawPointer
  /// The public key blob as authorized_keys and ssh-agent hold it (`ssh-ed25519` / `ssh-rsa`).
  let publicBlob: [UInt8]

  /// nil when the key is not one fleetports signs (see `OpenSSHPrivateKey`) or OpenSSL refuses it.
  /// - Parameter privateKey: the key file's bytes.
  convenience init?(privateKey: [UInt8]) {
    guard let parsed = OpenSSHPrivateKey(privateKey) else { return nil }
    self.init(parsed)
  }

  init?(_ parsed: OpenSSHPrivateKey) {
    switch parsed {
    case .ed25519(let seed, let publicBlob):
      guard let key = seed.withUnsafeBufferPointer({ cfleet_ed25519_key_new($0.baseAddress) }) else { return nil }
      kind = .ed25519
      self.key = key
      self.publicBlob = publicBlob
    case .rsa(let parts):
      let made = parts.n.withUnsafeBufferPointer { n in
        parts.e.withUnsafeBufferPointer { e in
          parts.d.withUnsafeBufferPointer { d in
            parts.iqmp.withUnsafeBufferPointer { iqmp in
              parts.p.withUnsafeBufferPointer { p in
                parts.q.withUnsafeBufferPointer { q in
                  cfleet_rsa_key_from_parts(
                    n.baseAddress, n.count, e.baseAddress, e.count, d.baseAddress, d.count, iqmp.baseAddress, iqmp.count, p.baseAddress,
                    p.count, q.baseAddress, q.count)
                }
              }
            }
          }
        }
      }
      guard let made, let blob = Self.rsaPublicBlob(made) else { return nil }
      kind = .rsa
      key = made
      publicBlob = blob
    case .pem(let text):
      guard
        let made = text.withUnsafeBufferPointer({
          $0.withMemoryRebound(to: CChar.self) { cfleet_rsa_key_from_pem($0.baseAddress, $0.count) }
        })
      else { return nil }
      guard let blob = Self.rsaPublicBlob(made) else {
        cfleet_pkey_free(made)
        return nil
      }
      kind = .rsa
      key = made
      publicBlob = blob
    }
  }

  deinit { cfleet_pkey_free(key) }

  /// `string "ssh-rsa", mpint e, mpint n`, as ssh-keygen writes an RSA public key.
  static func rsaPublicBlob(_ key: UnsafeMutableRawPointer) -> [UInt8]? {
    var n = [UInt8](repeating: 0, count: 2048)  // 16,384-bit moduli at most
    var e = [UInt8](repeating: 0, count: 64)
    var nLength = n.count
    var eLength = e.count
    guard cfleet_rsa_public(key, &n, &nLength, &e, &eLength) == 0 else { return nil }
    return SSHWire.string("ssh-rsa") + SSHWire.mpint(Array(e.prefix(eLength))) + SSHWire.mpint(Array(n.prefix(nLength)))
  }
}
