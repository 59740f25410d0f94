import CFleetShims
import Foundation

/// Why a passphrase-protected private key could not be decrypted.
public struct KeyDecryptionError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What went wrong, in OpenSSH's terms where it has them.
  public enum Reason: Sendable, Equatable {
    /// The passphrase does not decrypt the key (OpenSSH: "incorrect passphrase supplied to
    /// decrypt private key").
    case wrongPassphrase
    /// A cipher or KDF fleetports does not implement, by its name in the file.
    case unsupported(String)
    /// The file is not a key fleetports can read; the detail says where it stops making sense.
    case malformed(String)
  }

  public var reason: Reason

  public init(_ reason: Reason) { self.reason = reason }

  /// One line to follow the key's path.
  public var description: String {
    switch reason {
    case .wrongPassphrase: "the passphrase does not decrypt it (incorrect passphrase)"
    case .unsupported(let what): "it is encrypted with \(what), which fleetports cannot decrypt"
    case .malformed(let detail): "it cannot be read as a private key: \(detail)"
    }
  }
}

/// Decrypts an OpenSSH-format private key (`-----BEGIN OPENSSH PRIVATE KEY-----`, the
/// `openssh-key-v1` container ssh-keygen 6.5+ writes, PROTOCOL.key) with kdf `bcrypt` into
/// the same key unencrypted: cipher and kdf `none`, the same public key and private section.
/// That text then takes the paths an unencrypted key takes (Ed25519 signed in-process,
/// other types through libssh2 without a passphrase).
///
/// The container: `"openssh-key-v1\0"`, string cipher, string kdf, string kdf options
/// (`string salt, uint32 rounds`), uint32 number of keys (1), string public key, string
/// encrypted private section, then for GCM and ChaCha20-Poly1305 a 16-byte tag outside
/// that string. The section starts with two equal random uint32 "check" words: after
/// decryption they match only with the right passphrase.
enum OpenSSHKeyDecryption {
  /// A cipher ssh-keygen can write (`-Z`), with OpenSSH's sizes (cipher.c): key and IV
  /// lengths, the block the private section is padded to, and the tag after it.
  struct Cipher {
    var keyLength: Int
    var ivLength: Int
    var blockSize: Int
    var tagLength: Int
  }

  static let ciphers: [String: Cipher] = [
    "aes128-ctr": Cipher(keyLength: 16, ivLength: 16, blockSize: 16, tagLength: 0),
    "aes192-ctr": Cipher(keyLength: 24, ivLength: 16, blockSize: 16, tagLength: 0),
    "aes256-ctr": Cipher(keyLength: 32, ivLength: 16, blockSize: 16, tagLength: 0),
    "aes128-cbc": Cipher(keyLength: 16, ivLength: 16, blockSize: 16, tagLength: 0),
    "aes192-cbc": Cipher(keyLength: 24, ivLength: 16, blockSize: 16, tagLength: 0),
    "aes256-cbc": Cipher(keyLength: 32, ivLength: 16, blockSize: 16, tagLength: 0),
    "aes128-gcm@openssh.com": Cipher(keyLength: 16, ivLength: 12, blockSize: 16, tagLength: 16),
    "aes256-gcm@openssh.com": Cipher(keyLength: 32, ivLength: 12, blockSize: 16, tagLength: 16),
    // 64 key bytes: the payload key, then the packet-length key a key file never uses.
    "chacha20-poly1305@openssh.com": Cipher(keyLength: 64, ivLength: 0, blockSize: 8, tagLength: 16),
    "3des-cbc": Cipher(keyLength: 24, ivLength: 8, blockSize: 8, tagLength: 0),
  ]

  /// The key in `text` decrypted with `passphrase`, as unencrypted OpenSSH-format text.
  /// - Parameters:
  ///   - text: the key file's bytes (an encrypted OpenSSH-format key).
  ///   - passphrase: its passphrase (UTF-8, as ssh-keygen reads it).
  /// - Returns: PEM-armoured `openssh-key-v1` text with cipher `none`; the caller owns it and
  ///   should clear it when done.
  /// - Throws: `KeyDecryptionError`: `.wrongPassphrase` when the check words or the tag do not
  ///   match, `.unsupported` for another KDF or cipher, `.malformed` for a damaged container.
  static func decrypt(_ text: [UInt8], passphrase: String) throws(KeyDecryptionError) -> [UInt8] {
    guard var reader = IdentityKind.openSSHContainer(String(decoding: text, as: UTF8.self)) else {
      throw KeyDecryptionError(.malformed("no openssh-key-v1 container"))
    }
    guard let cipherBytes = reader.string(), let kdfBytes = reader.string(), let kdfOptions = reader.string(),
      let keyCount = reader.uint32(), let publicBlob = reader.string(), let sealed = reader.string()
    else { throw KeyDecryptionError(.malformed("the container ends early")) }
    let cipherName = String(decoding: cipherBytes, as: UTF8.self)
    let kdfName = String(decoding: kdfBytes, as: UTF8.self)
    guard keyCount == 1 else { throw KeyDecryptionError(.malformed("\(keyCount) keys in one file")) }
    guard let cipher = ciphers[cipherName] else { throw KeyDecryptionError(.unsupported("cipher \(cipherName)")) }
    guard kdfName == "bcrypt" else { throw KeyDecryptionError(.unsupported("kdf \(kdfName)")) }
    var options = SSHWireReader(kdfOptions)
    guard let salt = options.string(), let rounds = options.uint32(), !salt.isEmpty, rounds > 0 else {
      throw KeyDecryptionError(.malformed("bcrypt options without a salt or rounds"))
    }
    let tag = cipher.tagLength > 0 ? reader.take(cipher.tagLength) : []
    guard let tag else { throw KeyDecryptionError(.malformed("the \(cipherName) tag is missing")) }
    guard !sealed.isEmpty, sealed.count % cipher.blockSize == 0 else {
      throw KeyDecryptionError(.malformed("the private section is not a whole number of \(cipherName) blocks"))
    }
    guard !passphrase.isEmpty else { throw KeyDecryptionError(.wrongPassphrase) }

    var material = [UInt8](repeating: 0, count: cipher.keyLength + cipher.ivLength)
    defer { clear(&material) }
    guard bcryptPBKDF(password: Array(passphrase.utf8), salt: salt, rounds: rounds, into: &material) else {
      throw KeyDecryptionError(.malformed("bcrypt_pbkdf refused its arguments"))
    }
    var section = [UInt8](repeating: 0, count: sealed.count)
    var key = Array(material.prefix(cipher.keyLength))
    var iv = Array(material.suffix(cipher.ivLength)) + [0]  // never empty, so a pointer exists
    let status = tag.withUnsafeBufferPointer { tagBytes in
      cfleet_openssh_decrypt(
        cipherName, key, iv, sealed, sealed.count, cipher.tagLength > 0 ? tagBytes.baseAddress : nil, &section)
    }
    clear(&key)
    clear(&iv)
    defer { clear(&section) }
    switch status {
    case Int32(CFLEET_DECRYPT_OK): break
    case Int32(CFLEET_DECRYPT_BAD_TAG): throw KeyDecryptionError(.wrongPassphrase)
    case Int32(CFLEET_DECRYPT_UNSUPPORTED): throw KeyDecryptionError(.unsupported("cipher \(cipherName)"))
    default: throw KeyDecryptionError(.malformed("OpenSSL could not run \(cipherName)"))
    }
    // Read in place: a reader would hold a second reference and the clear would hit a copy.
    guard section.count >= 8, section[0..<4] == section[4..<8] else { throw KeyDecryptionError(.wrongPassphrase) }
    return unencryptedText(publicBlob: publicBlob, section: section)
  }

  /// OpenBSD's bcrypt_pbkdf (ported into CFleetShims): fills `key` (at most 1024 bytes) from
  /// `password` and `salt` with `rounds` rounds. False for arguments it refuses (an empty
  /// password or salt, no rounds).
  static func bcryptPBKDF(password: [UInt8], salt: [UInt8], rounds: UInt32, into key: inout [UInt8]) -> Bool {
    let count = key.count
    return password.withUnsafeBufferPointer { pass in
      pass.withMemoryRebound(to: CChar.self) { chars in
        cfleet_bcrypt_pbkdf(chars.baseAddress, chars.count, salt, salt.count, &key, count, rounds) == 0
      }
    }
  }

  /// The container with cipher and kdf `none` around `section`, armoured as ssh-keygen
  /// writes it (base64 in lines of 70). Built in buffers this function clears.
  static func unencryptedText(publicBlob: [UInt8], section: [UInt8]) -> [UInt8] {
    // Capacity reserved up front, so growing never leaves a copy of the secret behind.
    var binary: [UInt8] = []
    binary.reserveCapacity(64 + publicBlob.count + section.count)
    binary += Array("openssh-key-v1".utf8) + [0]
    func put(_ bytes: [UInt8]) {
      let count = UInt32(bytes.count)
      binary += [UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)]
      binary += bytes
    }
    put(Array("none".utf8))
    put(Array("none".utf8))
    put([])
    binary += [0, 0, 0, 1]
    put(publicBlob)
    put(section)
    defer { clear(&binary) }
    var text = Array("-----BEGIN OPENSSH PRIVATE KEY-----\n".utf8)
    text.reserveCapacity(text.count + binary.count * 4 / 3 + binary.count / 50 + 80)
    var body = base64(binary)
    defer { clear(&body) }
    var start = 0
    while start < body.count {
      let end = min(start + 70, body.count)
      text += body[start..<end]
      text.append(UInt8(ascii: "\n"))
      start = end
    }
    text += Array("-----END OPENSSH PRIVATE KEY-----\n".utf8)
    return text
  }

  /// RFC 4648 base64 with padding, into a buffer the caller owns (Foundation's encoder would
  /// leave copies of the secret it cannot clear).
  static func base64(_ bytes: [UInt8]) -> [UInt8] {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index < bytes.count {
      let a = UInt32(bytes[index])
      let b = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
      let c = index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0
      let triple = a << 16 | b << 8 | c
      out.append(alphabet[Int(triple >> 18 & 63)])
      out.append(alphabet[Int(triple >> 12 & 63)])
      out.append(index + 1 < bytes.count ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
      out.append(index + 2 < bytes.count ? alphabet[Int(triple & 63)] : UInt8(ascii: "="))
      index += 3
    }
    return out
  }

  /// Overwrites `bytes` with zeros through explicit_bzero, which the optimiser keeps.
  static func clear(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { cfleet_secure_zero($0.baseAddress, $0.count) }
  }
}
