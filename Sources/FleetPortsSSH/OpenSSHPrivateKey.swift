import Foundation

/// The parts of an unencrypted private key fleetports signs with itself: OpenSSH format
/// (`ssh-keygen` since 7.8) for Ed25519 and RSA, and PEM (`BEGIN RSA PRIVATE KEY`, PKCS#1, or
/// `BEGIN PRIVATE KEY`, PKCS#8) for RSA, which OpenSSL reads.
enum OpenSSHPrivateKey: Equatable {
  /// The 32-byte seed OpenSSL builds the key from, and the public blob
  /// (`string "ssh-ed25519", string key`).
  case ed25519(seed: [UInt8], publicBlob: [UInt8])
  /// The numbers of an RSA key, each big-endian without a sign byte (OpenSSH's mpint order).
  case rsa(RSAParts)
  /// PEM text for OpenSSL's decoder.
  case pem([UInt8])

  /// RSA's numbers as the OpenSSH container holds them.
  struct RSAParts: Equatable {
    var n: [UInt8]
    var e: [UInt8]
    var d: [UInt8]
    var iqmp: [UInt8]
    var p: [UInt8]
    var q: [UInt8]
  }

  /// nil for anything fleetports does not sign itself (encrypted, ECDSA, DSA, malformed):
  /// libssh2 loads those.
  /// - Parameter text: the key file's bytes.
  init?(_ text: [UInt8]) {
    let pem = String(decoding: text, as: UTF8.self)
    if pem.contains("-----BEGIN RSA PRIVATE KEY-----") || pem.contains("-----BEGIN PRIVATE KEY-----") {
      guard !pem.contains("Proc-Type: 4,ENCRYPTED") else { return nil }
      self = .pem(text)
      return
    }
    guard var reader = IdentityKind.openSSHContainer(pem),
      reader.string() == Array("none".utf8),  // cipher: unencrypted only
      reader.string() == Array("none".utf8),  // kdf
      reader.string() != nil,  // kdf options
      reader.uint32() == 1,
      let publicBlob = reader.string(),
      let privateSection = reader.string()
    else { return nil }
    var secret = SSHWireReader(privateSection)
    guard let check1 = secret.uint32(), let check2 = secret.uint32(), check1 == check2, let keyType = secret.string() else { return nil }
    switch String(decoding: keyType, as: UTF8.self) {
    case "ssh-ed25519":
      guard let publicKey = secret.string(), publicKey.count == 32, let privateKey = secret.string(), privateKey.count == 64 else {
        return nil
      }
      self = .ed25519(seed: Array(privateKey.prefix(32)), publicBlob: publicBlob)
    case "ssh-rsa":
      guard let n = secret.mpint(), let e = secret.mpint(), let d = secret.mpint(), let iqmp = secret.mpint(), let p = secret.mpint(),
        let q = secret.mpint()
      else { return nil }
      self = .rsa(RSAParts(n: n, e: e, d: d, iqmp: iqmp, p: p, q: q))
    default:
      return nil
    }
  }
}

/// Reads SSH wire encoding (RFC 4251 §5): big-endian uint32, length-prefixed strings, mpints.
struct SSHWireReader {
  let bytes: [UInt8]
  var offset = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// True when every byte has been read.
  var atEnd: Bool { offset == bytes.count }

  mutating func take(_ count: Int) -> [UInt8]? {
    guard count >= 0, offset + count <= bytes.count else { return nil }
    defer { offset += count }
    return Array(bytes[offset..<(offset + count)])
  }

  mutating func byte() -> UInt8? { take(1)?.first }

  mutating func uint32() -> UInt32? {
    guard let raw = take(4) else { return nil }
    return raw.reduce(0) { $0 << 8 | UInt32($1) }
  }

  mutating func string() -> [UInt8]? {
    guard let length = uint32(), length <= 1 << 20 else { return nil }
    return take(Int(length))
  }

  /// A non-negative mpint, without the leading zero that keeps its sign bit clear.
  mutating func mpint() -> [UInt8]? {
    guard let raw = string() else { return nil }
    return Array(raw.drop { $0 == 0 })
  }
}

/// Writes SSH wire encoding.
enum SSHWire {
  static func uint32(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
  }

  static func string(_ bytes: [UInt8]) -> [UInt8] { uint32(UInt32(bytes.count)) + bytes }

  static func string(_ text: String) -> [UInt8] { string(Array(text.utf8)) }

  /// A non-negative number (big-endian magnitude) as an mpint: a zero byte in front when the
  /// top bit is set.
  static func mpint(_ magnitude: [UInt8]) -> [UInt8] {
    let trimmed = Array(magnitude.drop { $0 == 0 })
    return string((trimmed.first ?? 0) & 0x80 != 0 ? [0] + trimmed : trimmed)
  }
}
