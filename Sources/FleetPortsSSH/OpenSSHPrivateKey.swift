import CFleetShims
import Foundation

/// The parts of an unencrypted OpenSSH-format Ed25519 private key fleetports signs with.
struct OpenSSHEd25519Key {
  /// The public key blob (`string "ssh-ed25519", string key`), as authorized_keys holds it.
  var publicBlob: [UInt8]
  /// The 32-byte seed OpenSSL builds the private key from.
  var seed: [UInt8]

  /// nil for anything else (encrypted, ECDSA, PEM, malformed): those go through libssh2.
  init?(_ text: [UInt8]) {
    let pem = String(decoding: text, as: UTF8.self)
    guard pem.contains("-----BEGIN OPENSSH PRIVATE KEY-----") else { return nil }
    let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map { $0.trimmingCharacters(in: .whitespaces) }.joined()
    guard let data = Data(base64Encoded: body) else { return nil }
    var reader = SSHWireReader(Array(data))
    let magic = Array("openssh-key-v1".utf8) + [0]
    guard reader.take(magic.count) == magic,
      reader.string() == Array("none".utf8),  // cipher: unencrypted only
      reader.string() == Array("none".utf8),  // kdf
      reader.string() != nil,  // kdf options
      reader.uint32() == 1,
      let publicBlob = reader.string(),
      let privateSection = reader.string()
    else { return nil }
    var secret = SSHWireReader(privateSection)
    guard let check1 = secret.uint32(), let check2 = secret.uint32(), check1 == check2,
      secret.string() == Array("ssh-ed25519".utf8),
      let publicKey = secret.string(), publicKey.count == 32,
      let privateKey = secret.string(), privateKey.count == 64
    else { return nil }
    self.publicBlob = publicBlob
    self.seed = Array(privateKey.prefix(32))
  }
}

/// Reads SSH wire encoding: big-endian uint32 and length-prefixed strings.
struct SSHWireReader {
  let bytes: [UInt8]
  var offset = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  mutating func take(_ count: Int) -> [UInt8]? {
    guard count >= 0, offset + count <= bytes.count else { return nil }
    defer { offset += count }
    return Array(bytes[offset..<(offset + count)])
  }

  mutating func uint32() -> UInt32? {
    guard let raw = take(4) else { return nil }
    return raw.reduce(0) { $0 << 8 | UInt32($1) }
  }

  mutating func string() -> [UInt8]? {
    guard let length = uint32(), length <= 1 << 20 else { return nil }
    return take(Int(length))
  }
}

/// An Ed25519 private key parsed once into OpenSSL and shared by every session.
/// It is immutable after creation and OpenSSL 3 signs with one EVP_PKEY from several
/// threads at once, so sharing it is safe; that is why it may be `@unchecked Sendable`.
final class Ed25519Signer: @unchecked Sendable {
  let key: UnsafeMutableRawPointer
  let publicBlob: [UInt8]

  init?(_ parsed: OpenSSHEd25519Key) {
    guard let key = parsed.seed.withUnsafeBufferPointer({ cfleet_ed25519_key_new($0.baseAddress) }) else { return nil }
    self.key = key
    self.publicBlob = parsed.publicBlob
  }

  deinit { cfleet_ed25519_key_free(key) }
}
