import Foundation

/// Recognises RSA private keys fleetports cannot sign itself before libssh2 tries them:
/// libssh2 1.10 signs RSA only with SHA-1, which current OpenSSH refuses, and says nothing
/// helpful about it; and keys that need a passphrase, which the scan's inputs must supply.
public enum IdentityKind {
  /// True for a private key that needs a passphrase: an OpenSSH-format key whose cipher is
  /// not `none`, a PEM key with `Proc-Type: 4,ENCRYPTED`, or encrypted PKCS#8.
  /// - Parameter privateKey: the key file's bytes.
  /// - Returns: whether a passphrase is needed to use it.
  public static func isEncrypted(_ privateKey: [UInt8]) -> Bool {
    let text = String(decoding: privateKey, as: UTF8.self)
    if text.contains("Proc-Type: 4,ENCRYPTED") || text.contains("BEGIN ENCRYPTED PRIVATE KEY") { return true }
    guard var reader = openSSHContainer(text) else { return false }
    return reader.string().map { $0 != Array("none".utf8) } ?? false
  }

  /// The public key blob of an OpenSSH-format key (readable even when the key is encrypted),
  /// as an agent lists it; nil for other formats.
  static func publicBlob(_ privateKey: [UInt8]) -> [UInt8]? {
    guard var reader = openSSHContainer(String(decoding: privateKey, as: UTF8.self)),
      reader.string() != nil, reader.string() != nil, reader.string() != nil, reader.uint32() == 1
    else { return nil }
    return reader.string()
  }

  /// A reader past the magic of the OpenSSH container in `text`, at its cipher name.
  static func openSSHContainer(_ text: String) -> SSHWireReader? {
    guard text.contains("BEGIN OPENSSH PRIVATE KEY") else { return nil }
    let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map { $0.trimmingCharacters(in: .whitespaces) }.joined()
    guard let data = Data(base64Encoded: body) else { return nil }
    var reader = SSHWireReader(Array(data))
    guard reader.take(15) == Array("openssh-key-v1".utf8) + [0] else { return nil }
    return reader
  }

  /// True for an RSA key in PKCS#1 PEM or OpenSSH format (read even when encrypted).
  static func isRSA(_ privateKey: [UInt8]) -> Bool {
    let text = String(decoding: privateKey, as: UTF8.self)
    if text.contains("BEGIN RSA PRIVATE KEY") { return true }
    guard text.contains("BEGIN OPENSSH PRIVATE KEY") else { return false }
    // The OpenSSH container names the key type in its (unencrypted) public key blob.
    let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map { $0.trimmingCharacters(in: .whitespaces) }.joined()
    guard let data = Data(base64Encoded: body) else { return false }
    var reader = SSHWireReader(Array(data))
    guard reader.take(15) == Array("openssh-key-v1".utf8) + [0],
      reader.string() != nil, reader.string() != nil, reader.string() != nil, reader.uint32() != nil,
      let publicBlob = reader.string()
    else { return false }
    var blob = SSHWireReader(publicBlob)
    return blob.string() == Array("ssh-rsa".utf8)
  }
}
