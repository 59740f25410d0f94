import Foundation

/// An OpenSSH user certificate, as `ssh-keygen -s CA -I ID key.pub` writes it beside the key
/// (`key-cert.pub`): one line `TYPE BASE64 [COMMENT]`, TYPE ending in `-cert-v01@openssh.com`.
public struct SSHCertificate: Sendable, Hashable {
  /// The file it came from, for messages.
  public var path: String
  /// `TYPE BASE64`, which libssh2 takes as the public key of an ECDSA identity.
  let text: [UInt8]
  /// The certificate blob (what sshd checks against TrustedUserCAKeys).
  let blob: [UInt8]
  /// The certificate's type, e.g. `ssh-ed25519-cert-v01@openssh.com`.
  let keyType: String

  /// Reads a certificate file's contents.
  /// - Parameters:
  ///   - path: the file, for messages.
  ///   - contents: its bytes.
  /// - Throws: `SSHError.Kind.identityUnreadable` naming `path` when the text is not one
  ///   OpenSSH certificate line whose blob names the type the line starts with.
  public init(path: String, contents: [UInt8]) throws(SSHError) {
    let line = String(decoding: contents, as: UTF8.self).split(whereSeparator: \.isNewline).first { !$0.hasPrefix("#") && !$0.isEmpty }
    let fields = line?.split(separator: " ", omittingEmptySubsequences: true) ?? []
    guard fields.count >= 2, fields[0].hasSuffix("-cert-v01@openssh.com"), let data = Data(base64Encoded: String(fields[1])),
      PublicKeyAlgorithm.keyType(of: Array(data)) == String(fields[0])
    else {
      throw SSHError(
        .identityUnreadable(path: path, reason: "not an OpenSSH certificate (expected one line `TYPE-cert-v01@openssh.com BASE64`)"))
    }
    self.path = path
    text = Array("\(fields[0]) \(fields[1])".utf8)
    blob = Array(data)
    keyType = String(fields[0])
  }

  /// True when this certificate is for `identity`'s key: the key's fields after its type string
  /// are the certificate's after its type and nonce (the layout of every
  /// `*-cert-v01@openssh.com` type, OpenSSH's PROTOCOL.certkeys). ssh_config's `CertificateFile`
  /// pairs a certificate with a key this way, whatever the files are called.
  public func certifies(_ identity: SSHIdentity) -> Bool {
    guard let keyBlob = identity.publicBlob else { return false }
    var certificate = SSHWireReader(blob)
    var key = SSHWireReader(keyBlob)
    guard certificate.string() != nil, certificate.string() != nil, key.string() != nil, key.offset < keyBlob.count else { return false }
    let fields = keyBlob[key.offset...]
    guard certificate.offset + fields.count <= blob.count else { return false }
    return blob[certificate.offset..<(certificate.offset + fields.count)].elementsEqual(fields)
  }
}
