import FleetPortsSSH
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Private key files checked as OpenSSH checks them before a scan starts: a key readable by
/// group or others is refused (unless the user opted out), and an encrypted key needs its
/// passphrase. Each key is read, and decrypted, once for the whole scan.
enum IdentityFiles {
  /// How a key file may be used.
  struct Rules {
    /// The passphrase from `--passphrase-env`, if given.
    var passphrase: String?
    /// `--allow-open-key-files`: take keys that group or others can read.
    var allowOpenKeyFiles: Bool
  }

  /// The identity at `path`, or nil when it cannot be read (the caller decides whether that
  /// matters: a default key that is absent does not).
  /// - Parameters:
  ///   - path: the key file.
  ///   - certificate: its certificate file (ssh_config's `CertificateFile`); nil takes
  ///     `<path>-cert.pub` when that exists, as ssh does.
  ///   - rules: the passphrase and the opt-out for open permissions.
  /// - Returns: the key in memory, or nil when the file cannot be read.
  /// - Throws: `ScanInputError` for a key OpenSSH would refuse (too open), could not use
  ///   without a passphrase that was not given, or that the passphrase does not decrypt; and for
  ///   a certificate that cannot be read (a named one) or is not an OpenSSH certificate.
  static func load(_ path: String, certificate: String? = nil, rules: Rules) throws(ScanInputError) -> SSHIdentity? {
    guard let data = FileContents.read(path) else { return nil }
    var info = stat()
    if !rules.allowOpenKeyFiles, stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
      throw ScanInputError(tooOpen(path: path, mode: info.st_mode & 0o7777))
    }
    let bytes = Array(data)
    if rules.passphrase == nil && IdentityKind.isEncrypted(bytes) {
      throw ScanInputError(
        "identity \(path) is encrypted and no passphrase was given; put it in an environment variable and name it with --passphrase-env VAR"
          + " (or load the key into ssh-agent and leave it out of --identity)")
    }
    let certificate = try loadCertificate(certificate ?? path + "-cert.pub", named: certificate != nil)
    guard let passphrase = rules.passphrase else { return SSHIdentity(path: path, privateKey: bytes, certificate: certificate) }
    // Decrypted here, once for the whole scan, so no host pays for the key's KDF.
    do {
      var identity = try SSHIdentity.decrypting(path: path, privateKey: bytes, passphrase: passphrase)
      identity.certificate = certificate
      return identity
    } catch {
      let hint = error.reason == .wrongPassphrase ? "; check the variable named with --passphrase-env" : ""
      throw ScanInputError("identity \(path): \(error)\(hint)")
    }
  }

  /// The certificate at `path`; nil when it is absent and nobody named it.
  /// - Throws: `ScanInputError` when a named file cannot be read, or the file is not a certificate.
  static func loadCertificate(_ path: String, named: Bool) throws(ScanInputError) -> SSHCertificate? {
    guard let data = FileContents.read(path) else {
      if named { throw ScanInputError("cannot read certificate \(path)") }
      return nil
    }
    do {
      return try SSHCertificate(path: path, contents: Array(data))
    } catch {
      throw ScanInputError("certificate \(path) is not an OpenSSH certificate (one line `TYPE-cert-v01@openssh.com BASE64`, as ssh-keygen -s writes it)")
    }
  }

  /// OpenSSH's words for a key others can read, on one line, with the fix.
  /// - Parameters:
  ///   - path: the key file.
  ///   - mode: its permission bits.
  /// - Returns: the message.
  static func tooOpen(path: String, mode: mode_t) -> String {
    let octal = String(mode, radix: 8)
    return "UNPROTECTED PRIVATE KEY FILE! Permissions \(String(repeating: "0", count: max(0, 4 - octal.count)) + octal) for '\(path)' are too open."
      + " It is required that your private key files are NOT accessible by others. This private key will be ignored;"
      + " chmod 600 '\(path)', or scan with --allow-open-key-files"
  }
}
