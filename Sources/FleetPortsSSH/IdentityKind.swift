import Foundation

/// Recognises RSA private keys before libssh2 tries them: libssh2 1.10 signs RSA only
/// with SHA-1, which current OpenSSH refuses, and says nothing helpful about it.
enum IdentityKind {
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
