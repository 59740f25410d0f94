import FleetPortsSSH
import Foundation
import LabSupport
import Testing

@testable import FleetPortsScan

#if canImport(Glibc)
  import Glibc
#endif

/// Key files checked as OpenSSH checks them, before any host is contacted.
@Suite struct IdentityFilesTests {
  static func key(_ dir: String, _ name: String, passphrase: String = "", type: String = "ed25519") throws -> String {
    let path = dir + "/" + name
    // The passphrase of a throwaway test key; never a real secret.
    let made = try ChildProcess.run(["/usr/bin/ssh-keygen", "-q", "-t", type, "-N", passphrase, "-f", path], timeout: .seconds(60))
    try #require(made.status == 0, "ssh-keygen: \(made.stderrText)")
    return path
  }

  @Test func aKeyOthersCanReadIsRefusedWithOpenSSHsReasonUnlessAllowed() throws {
    let dir = try LabScanScratch.make()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = try Self.key(dir, "open")
    chmod(path, 0o644)
    #expect(throws: ScanInputError.self) { try IdentityFiles.load(path, rules: .init(passphrase: nil, allowOpenKeyFiles: false)) }
    do {
      _ = try IdentityFiles.load(path, rules: .init(passphrase: nil, allowOpenKeyFiles: false))
    } catch {
      #expect(error.message.contains("UNPROTECTED PRIVATE KEY FILE! Permissions 0644 for '\(path)' are too open."), "\(error.message)")
      #expect(error.message.contains("chmod 600"))
    }
    #expect(try IdentityFiles.load(path, rules: .init(passphrase: nil, allowOpenKeyFiles: true)) != nil)
    chmod(path, 0o600)
    #expect(try IdentityFiles.load(path, rules: .init(passphrase: nil, allowOpenKeyFiles: false)) != nil)
  }

  /// As ssh does: `<key>-cert.pub` beside a key goes with it; ssh_config's CertificateFile
  /// names another; a file that is not a certificate is refused, naming it.
  @Test func aCertificateBesideTheKeyOrNamedGoesWithIt() throws {
    let dir = try LabScanScratch.make()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let ca = try Self.key(dir, "ca")
    let path = try Self.key(dir, "id_ed25519")
    #expect(try IdentityFiles.load(path, rules: .init(passphrase: nil, allowOpenKeyFiles: false))?.certificate == nil)
    let signed = try ChildProcess.run(["/usr/bin/ssh-keygen", "-q", "-s", ca, "-I", "test", "-n", "root", path + ".pub"], timeout: .seconds(60))
    try #require(signed.status == 0, "\(signed.stderrText)")
    let beside = try IdentityFiles.load(path, rules: .init(passphrase: nil, allowOpenKeyFiles: false))
    #expect(beside?.certificate?.path == path + "-cert.pub")
    try FileManager.default.moveItem(atPath: path + "-cert.pub", toPath: dir + "/elsewhere.pub")
    let named = try IdentityFiles.load(path, certificate: dir + "/elsewhere.pub", rules: .init(passphrase: nil, allowOpenKeyFiles: false))
    #expect(named?.certificate?.path == dir + "/elsewhere.pub")
    #expect(throws: ScanInputError("cannot read certificate \(dir)/missing.pub")) {
      try IdentityFiles.load(path, certificate: dir + "/missing.pub", rules: .init(passphrase: nil, allowOpenKeyFiles: false))
    }
    #expect(
      throws: ScanInputError(
        "certificate \(path).pub is not an OpenSSH certificate (one line `TYPE-cert-v01@openssh.com BASE64`, as ssh-keygen -s writes it)")
    ) {
      try IdentityFiles.load(path, certificate: path + ".pub", rules: .init(passphrase: nil, allowOpenKeyFiles: false))
    }
  }

  /// ssh_config's CertificateFile pairs a certificate with the key it certifies, whatever the
  /// files are called: each key type's certificate (from the real ssh-keygen) matches its own key
  /// and no other.
  @Test(arguments: ["ed25519", "ecdsa", "rsa"])
  func aCertificateCertifiesItsOwnKeyOnly(type: String) throws {
    let dir = try LabScanScratch.make()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let ca = try Self.key(dir, "ca")
    let mine = try Self.key(dir, "mine", type: type)
    let other = try Self.key(dir, "other", type: type)
    let signed = try ChildProcess.run(["/usr/bin/ssh-keygen", "-q", "-s", ca, "-I", "test", "-n", "root", mine + ".pub"], timeout: .seconds(60))
    try #require(signed.status == 0, "\(signed.stderrText)")
    let certificate = try #require(try IdentityFiles.loadCertificate(mine + "-cert.pub", named: true))
    let rules = IdentityFiles.Rules(passphrase: nil, allowOpenKeyFiles: false)
    #expect(certificate.certifies(try #require(try IdentityFiles.load(mine, rules: rules))))
    #expect(!certificate.certifies(try #require(try IdentityFiles.load(other, rules: rules))))
  }

  @Test func anEncryptedKeyNeedsItsPassphraseVariable() throws {
    let dir = try LabScanScratch.make()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = try Self.key(dir, "locked", passphrase: "fp17 test only", type: "ecdsa")
    do {
      _ = try IdentityFiles.load(path, rules: .init(passphrase: nil, allowOpenKeyFiles: false))
      Issue.record("an encrypted key without a passphrase was accepted")
    } catch {
      #expect(error.message.contains("identity \(path) is encrypted") && error.message.contains("--passphrase-env"), "\(error.message)")
    }
    let loaded = try #require(try IdentityFiles.load(path, rules: .init(passphrase: "fp17 test only", allowOpenKeyFiles: false)))
    // Decrypted while loading: no passphrase left for libssh2 to run the KDF with on every host.
    #expect(loaded.passphrase == nil && !IdentityKind.isEncrypted(loaded.privateKey))
    #expect(KeyDecryptionLog.count(path: path) == 1)
  }

  @Test func aWrongPassphraseIsAUsageErrorNamingTheKey() throws {
    let dir = try LabScanScratch.make()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = try Self.key(dir, "locked", passphrase: "fp17 test only")
    do {
      _ = try IdentityFiles.load(path, rules: .init(passphrase: "not it", allowOpenKeyFiles: false))
      Issue.record("a wrong passphrase was accepted")
    } catch {
      #expect(error.message.contains("identity \(path):") && error.message.contains("incorrect passphrase"), "\(error.message)")
      #expect(error.message.contains("--passphrase-env"), "\(error.message)")
    }
  }
}

/// A private scratch folder for one test.
enum LabScanScratch {
  static func make() throws -> String {
    let path = NSTemporaryDirectory() + "fp17-keys-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }
}
