import CFleetShims
import Foundation
import LabSupport
import Testing

@testable import FleetPortsSSH

/// Encrypted private keys decrypted once, in memory: bcrypt_pbkdf against published vectors,
/// then keys made by the real ssh-keygen and openssl in every cipher and format they write,
/// each decrypted and read back by `ssh-keygen -y`.
@Suite struct KeyDecryptionTests {
  /// A bcrypt_pbkdf case: rounds, password, salt and the expected key, in hex.
  struct Vector: Sendable, CustomTestStringConvertible {
    var rounds: UInt32
    var password: String
    var salt: String
    var key: String
    var testDescription: String { "\(rounds) rounds, \(password.count / 2)-byte password, \(key.count / 2)-byte key" }
  }

  /// The `test_kdf` vectors of the Python `bcrypt` package 4.1.2 (tests/test_bcrypt.py), which
  /// wraps OpenBSD's bcrypt_pbkdf: NUL bytes in password and salt, a 64-byte key, 42 rounds,
  /// a 447-byte password, a 256-byte key, UTF-8.
  static let vectors: [Vector] = [
    Vector(
      rounds: 4, password: "70617373776f7264", salt: "73616c74", key: "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9"),
    Vector(rounds: 4, password: "70617373776f7264", salt: "00", key: "c12b566235eee04c212598970a579a67"),
    Vector(rounds: 4, password: "00", salt: "73616c74", key: "6051be18c2f4f82cbf0efee5471b4bb9"),
    Vector(
      rounds: 4, password: "70617373776f726400", salt: "73616c7400", key: "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050"
    ),
    Vector(rounds: 4, password: "7061737300776f72", salt: "7361006c", key: "c2bffd9db38f6569efef4372f4de83c0"),
    Vector(rounds: 4, password: "7061737300776f7264", salt: "7361006c74", key: "4ba4ac3925c0e8d7f0cdb6bb1684a56f"),
    Vector(
      rounds: 8, password: "70617373776f7264", salt: "73616c74",
      key:
        "e1367ec5151a33faac4cc1c144cd23fa15d5548493ecc99b9b5d9c0d3b27bec76227ea66088b849b20ab7aa478010246e74bba51723fefa9f9474d6508845e8d"),
    Vector(rounds: 42, password: "70617373776f7264", salt: "73616c74", key: "833cf0dcf56db65608e8f0dc0ce882bd"),
    Vector(
      rounds: 8,
      password:
        "4c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c69742c2073656420646f20656975736d6f642074656d706f7220696e6369646964756e74207574206c61626f726520657420646f6c6f7265206d61676e6120616c697175612e20557420656e696d206164206d696e696d2076656e69616d2c2071756973206e6f737472756420657865726369746174696f6e20756c6c616d636f206c61626f726973206e69736920757420616c697175697020657820656120636f6d6d6f646f20636f6e7365717561742e2044756973206175746520697275726520646f6c6f7220696e20726570726568656e646572697420696e20766f6c7570746174652076656c697420657373652063696c6c756d20646f6c6f726520657520667567696174206e756c6c612070617269617475722e204578636570746575722073696e74206f6363616563617420637570696461746174206e6f6e2070726f6964656e742c2073756e7420696e2063756c706120717569206f666669636961206465736572756e74206d6f6c6c697420616e696d20696420657374206c61626f72756d2e",
      salt: "73616c697300", key: "10978b07253df57f71a162eb0e8ad30a"),
    Vector(
      rounds: 8, password: "0db3ac94b3ee53284f4a22893b3c24ae", salt: "3a62f0f0dbcef823cfcc854856ea1028",
      key: "204438175eee7ce136c91b49a67923ff"),
    Vector(
      rounds: 8, password: "0db3ac94b3ee53284f4a22893b3c24ae", salt: "3a62f0f0dbcef823cfcc854856ea1028",
      key:
        "2054b9fff34e3721440334746828e9ed38de4b72e0a69adc170a13b5e8d646385ea4034ae6d26600ee2332c5ed40ad557c86e3403fbb30e4e1dc1ae06b99a071368f518d2c426651c9e7e437fd6c915b1bbfc3a4cea71491490ea7afb7dd0290a678a4f441128db1792eab2776b21eb4238e0715add4127dff44e4b3e4cc4c4f9970083f3f74bd698873fdf648844f75c9bf7f9e0c4d9e5d89a7783997492966616707611cb901de31a19726b6e08c3a8001661f2d5c9dcc33b4aa072f90dd0b3f548d5eeba4211397e2fb062e526e1d68f46a4ce256185b4badc2685fbe78e1c7657b59f83ab9ab80cf9318d6add1f5933f12d6f36182c8e8115f68030a1244"
    ),
    Vector(
      rounds: 8, password: "e1bd88ceb4cf85cf83cf83ceb5cf8dcf82", salt: "cea4ceb7cebbceadcebcceb1cf87cebfcf82",
      key: "43666c9b09ef33ed8c27e8e8f3e2d8e6"),
  ]

  static func bytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      out.append(UInt8(hex[index..<next], radix: 16) ?? 0)  // the vectors above are well-formed hex
      index = next
    }
    return out
  }

  @Test(arguments: vectors) func bcryptPBKDFMatchesPublishedVectors(_ vector: Vector) {
    var key = [UInt8](repeating: 0, count: vector.key.count / 2)
    let derived = OpenSSHKeyDecryption.bcryptPBKDF(
      password: Self.bytes(vector.password), salt: Self.bytes(vector.salt), rounds: vector.rounds, into: &key)
    #expect(derived)
    #expect(key == Self.bytes(vector.key))
  }

  @Test func bcryptPBKDFRefusesAnEmptyPasswordOrNoRounds() {
    var key = [UInt8](repeating: 0, count: 32)
    #expect(!OpenSSHKeyDecryption.bcryptPBKDF(password: [], salt: [1], rounds: 16, into: &key))
    #expect(!OpenSSHKeyDecryption.bcryptPBKDF(password: [1], salt: [1], rounds: 0, into: &key))
  }

  /// The passphrase of throwaway test keys; never a real secret.
  static let passphrase = "fp17 decrypt once"

  /// A key made now by ssh-keygen in `dir`; `extra` adds flags (`-Z cipher`, `-m PEM`).
  static func keygen(_ dir: String, _ name: String, type: String, passphrase: String = passphrase, _ extra: [String] = []) throws -> String
  {
    let path = dir + "/" + name
    let bits = type == "rsa" ? ["-b", "2048"] : []
    let made = try ChildProcess.run(
      ["/usr/bin/ssh-keygen", "-q", "-t", type] + bits + extra + ["-N", passphrase, "-C", name, "-f", path], timeout: .seconds(120))
    try #require(made.status == 0, "ssh-keygen \(extra): \(made.stderrText)")
    return path
  }

  /// `ssh-keygen -y` of a key given on standard input (so the decrypted key is never written
  /// to a file): its type and base64 public key.
  static func publicKey(ofUnencrypted text: [UInt8]) throws -> String {
    let read = try ChildProcess.run(["/usr/bin/ssh-keygen", "-y", "-f", "/dev/stdin"], stdin: text, timeout: .seconds(60))
    try #require(read.status == 0, "ssh-keygen -y refused the decrypted key: \(read.stderrText)")
    return read.stdoutText.split(whereSeparator: \.isWhitespace).prefix(2).joined(separator: " ")
  }

  /// The public key ssh-keygen wrote beside the private one (what `ssh-keygen -y` of the
  /// original gives), type and base64 only.
  static func publicKey(file path: String) throws -> String {
    try String(contentsOfFile: path + ".pub", encoding: .utf8).split(whereSeparator: \.isWhitespace).prefix(2).joined(separator: " ")
  }

  static func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

  static func scratch() throws -> String {
    let path = NSTemporaryDirectory() + "fp-keys-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  @Test(arguments: OpenSSHKeyDecryption.ciphers.keys.sorted())
  func everyCipherSshKeygenOffersIsDecryptedToTheSameKey(_ cipher: String) throws {
    let dir = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = try Self.keygen(dir, "id_ed25519", type: "ed25519", ["-Z", cipher])
    let original = try Self.read(path)
    #expect(IdentityKind.isEncrypted(original))
    #expect(String(decoding: original, as: UTF8.self).contains("BEGIN OPENSSH PRIVATE KEY"))
    let identity = try SSHIdentity.decrypting(path: path, privateKey: original, passphrase: Self.passphrase)
    #expect(!IdentityKind.isEncrypted(identity.privateKey))
    #expect(identity.passphrase == nil)
    #expect(identity.signer != nil, "a decrypted Ed25519 key is signed in-process like an unencrypted one")
    #expect(try Self.publicKey(ofUnencrypted: identity.privateKey) == Self.publicKey(file: path))
  }

  @Test(arguments: ["ecdsa", "rsa"]) func otherKeyTypesInOpenSSHFormatAreDecrypted(_ type: String) throws {
    let dir = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for cipher in ["aes256-ctr", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"] {
      let path = try Self.keygen(dir, "id_\(type)_\(cipher.prefix { $0 != "@" })", type: type, ["-Z", cipher])
      let identity = try SSHIdentity.decrypting(path: path, privateKey: try Self.read(path), passphrase: Self.passphrase)
      #expect(!IdentityKind.isEncrypted(identity.privateKey), "\(cipher)")
      #expect(try Self.publicKey(ofUnencrypted: identity.privateKey) == Self.publicKey(file: path), "\(type) \(cipher)")
    }
  }

  @Test(arguments: ["ecdsa", "rsa"]) func pemKeysAreDecryptedByOpenSSL(_ type: String) throws {
    let dir = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let traditional = try Self.keygen(dir, "pem_\(type)", type: type, ["-m", "PEM"])
    #expect(try String(contentsOfFile: traditional, encoding: .utf8).contains("Proc-Type: 4,ENCRYPTED"))
    let keygenPKCS8 = try Self.keygen(dir, "pkcs8_\(type)", type: type, ["-m", "PKCS8"])
    // PKCS#8 by openssl from an unencrypted key, the passphrase passed in the environment.
    let plain = try Self.keygen(dir, "plain_\(type)", type: type, passphrase: "", ["-m", "PEM"])
    let openSSLPKCS8 = dir + "/openssl_pkcs8_\(type)"
    let converted = try ChildProcess.run(
      ["/usr/bin/openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", plain, "-out", openSSLPKCS8, "-passout", "env:FP_KEY_PASS"],
      environment: ["FP_KEY_PASS": Self.passphrase, "PATH": "/usr/bin:/bin"], timeout: .seconds(60))
    try #require(converted.status == 0, "openssl pkcs8: \(converted.stderrText)")
    try FileManager.default.copyItem(atPath: plain + ".pub", toPath: openSSLPKCS8 + ".pub")
    for path in [traditional, keygenPKCS8, openSSLPKCS8] {
      let original = try Self.read(path)
      #expect(IdentityKind.isEncrypted(original), "\(path)")
      let identity = try SSHIdentity.decrypting(path: path, privateKey: original, passphrase: Self.passphrase)
      let text = String(decoding: identity.privateKey, as: UTF8.self)
      #expect(
        !IdentityKind.isEncrypted(identity.privateKey) && text.contains("-----BEGIN \(type == "rsa" ? "RSA" : "EC") PRIVATE KEY-----"),
        "\(path)")
      #expect(try Self.publicKey(ofUnencrypted: identity.privateKey) == Self.publicKey(file: path), "\(path)")
    }
  }

  @Test func aWrongPassphraseIsSaidToBeWrongInEveryFormat() throws {
    let dir = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let keys = [
      try Self.keygen(dir, "ctr", type: "ed25519"),
      try Self.keygen(dir, "gcm", type: "ed25519", ["-Z", "aes128-gcm@openssh.com"]),
      try Self.keygen(dir, "chacha", type: "ed25519", ["-Z", "chacha20-poly1305@openssh.com"]),
      try Self.keygen(dir, "pem", type: "ecdsa", ["-m", "PEM"]),
      try Self.keygen(dir, "pkcs8", type: "ecdsa", ["-m", "PKCS8"]),
    ]
    for path in keys {
      #expect(throws: KeyDecryptionError(.wrongPassphrase), "\(path)") {
        try SSHIdentity.decrypting(path: path, privateKey: try Self.read(path), passphrase: "not the passphrase")
      }
    }
  }

  @Test func anUnencryptedKeyIsTakenAsItIs() throws {
    let dir = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = try Self.keygen(dir, "open", type: "ed25519", passphrase: "")
    let original = try Self.read(path)
    let identity = try SSHIdentity.decrypting(path: path, privateKey: original, passphrase: "unused")
    #expect(identity.privateKey == original && identity.passphrase == nil)
    #expect(KeyDecryptionLog.count(path: path) == 0)
  }

  @Test func aDamagedContainerIsMalformedNotAWrongPassphrase() throws {
    let dir = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = try Self.keygen(dir, "cut", type: "ed25519")
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    // The armour kept, the body cut after its first lines: the private section is missing.
    let cut = ([lines[0], lines[1], lines[2]] + [lines[lines.count - 1]]).joined(separator: "\n") + "\n"
    let error = #expect(throws: KeyDecryptionError.self) {
      try SSHIdentity.decrypting(path: path, privateKey: Array(cut.utf8), passphrase: Self.passphrase)
    }
    if case .malformed = error?.reason {} else { Issue.record("expected malformed, got \(String(describing: error))") }
  }
}
