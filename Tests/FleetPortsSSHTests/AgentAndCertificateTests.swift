import Foundation
import Testing

@testable import FleetPortsSSH

/// The ssh-agent messages and the certificate rules, without an agent or a server.
@Suite struct AgentProtocolTests {
  @Test func anIdentitiesAnswerListsEachKeyWithItsComment() {
    let reply: [UInt8] =
      [12] + SSHWire.uint32(2) + SSHWire.string(RSAFixture.publicBlob) + SSHWire.string("me@laptop") + SSHWire.string([1, 2, 3])
      + SSHWire.string("")
    #expect(
      SSHAgentProtocol.identities(in: reply) == [
        .init(blob: RSAFixture.publicBlob, comment: "me@laptop"), .init(blob: [1, 2, 3], comment: ""),
      ])
    // A failure, a short list and trailing bytes are refused, not half read.
    #expect(SSHAgentProtocol.identities(in: [5]) == nil)
    #expect(SSHAgentProtocol.identities(in: [12] + SSHWire.uint32(2) + SSHWire.string([1]) + SSHWire.string("a")) == nil)
    #expect(SSHAgentProtocol.identities(in: [12] + SSHWire.uint32(0) + [0]) == nil)
  }

  @Test func aSignRequestCarriesTheKeyTheDataAndTheSHA2Flag() {
    let request = SSHAgentProtocol.signatureRequest(blob: [7, 7], data: [1, 2, 3], flags: RSASignature.sha512.agentFlag)
    #expect(request == [13, 0, 0, 0, 2, 7, 7, 0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 4])
    #expect(SSHAgentProtocol.framed(request).prefix(4) == [0, 0, 0, 18])
    #expect(RSASignature.sha256.agentFlag == 2)
  }

  @Test func aSignResponseGivesTheAlgorithmAndTheBareSignature() throws {
    let reply: [UInt8] = [14] + SSHWire.string(SSHWire.string("rsa-sha2-512") + SSHWire.string([9, 9, 9]))
    let signature = try #require(SSHAgentProtocol.signature(in: reply))
    #expect(signature.algorithm == "rsa-sha2-512" && signature.signature == [9, 9, 9])
    #expect(SSHAgentProtocol.signature(in: [5]) == nil)
  }
}

@Suite struct PublicKeyAlgorithmTests {
  @Test func anRSABlobRenamedKeepsItsNumbers() {
    let renamed = PublicKeyAlgorithm.renamed(RSAFixture.publicBlob, to: "rsa-sha2-512")
    #expect(PublicKeyAlgorithm.keyType(of: renamed) == "rsa-sha2-512")
    #expect(renamed.suffix(RSAFixture.publicBlob.count - 11) == RSAFixture.publicBlob.suffix(RSAFixture.publicBlob.count - 11))
  }

  /// libssh2 1.10 names a signature after the blob; only ECDSA certificates are cut to the
  /// plain name, so only they (and plain keys) can log in through it.
  @Test(arguments: [
    ("ssh-ed25519", "ssh-ed25519", true),
    ("rsa-sha2-512", "rsa-sha2-512", true),
    ("ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp256", true),
    ("ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519-cert-v01@openssh.com", false),
    ("ssh-rsa-cert-v01@openssh.com", "ssh-rsa-cert-v01@openssh.com", false),
  ])
  func libssh2NamesSignaturesAfterTheBlob(keyType: String, signatureName: String, usable: Bool) {
    #expect(PublicKeyAlgorithm.libssh2SignatureName(keyType) == signatureName)
    #expect(PublicKeyAlgorithm.libssh2CanSign(keyType) == usable)
  }
}

@Suite struct CertificatePlanTests {
  static func certificate(_ type: String, path: String = "/k/id-cert.pub") throws -> SSHCertificate {
    let blob = SSHWire.string(type) + SSHWire.string([1, 2, 3])
    return try SSHCertificate(path: path, contents: Array("\(type) \(Data(blob).base64EncodedString()) me@laptop\n".utf8))
  }

  @Test func aCertificateFileIsOneOpenSSHCertificateLine() throws {
    let ecdsa = try Self.certificate("ecdsa-sha2-nistp256-cert-v01@openssh.com")
    #expect(ecdsa.keyType == "ecdsa-sha2-nistp256-cert-v01@openssh.com")
    #expect(String(decoding: ecdsa.text, as: UTF8.self).hasPrefix("ecdsa-sha2-nistp256-cert-v01@openssh.com AAAA"))
    let notACertificate = Array("ssh-ed25519 \(Data(SSHWire.string("ssh-ed25519")).base64EncodedString())\n".utf8)
    #expect(
      throws: SSHError(
        .identityUnreadable(path: "/k/x.pub", reason: "not an OpenSSH certificate (expected one line `TYPE-cert-v01@openssh.com BASE64`)"))
    ) {
      try SSHCertificate(path: "/k/x.pub", contents: notACertificate)
    }
    // A line whose blob names another type is refused too.
    let lying = Array("ssh-ed25519-cert-v01@openssh.com \(Data(SSHWire.string("ssh-rsa")).base64EncodedString())\n".utf8)
    #expect(throws: SSHError.self) { try SSHCertificate(path: "/k/y", contents: lying) }
  }

  /// An ECDSA key's certificate goes before the key; an Ed25519 key's is left out (libssh2
  /// 1.10 cannot sign with it) and named in the failure, the key itself still offered.
  @Test func certificatesComeBeforeTheirKeyWhenLibssh2CanSignThem() throws {
    var ecdsa = AuthenticationPlanTests.ecdsa
    ecdsa.certificate = try Self.certificate("ecdsa-sha2-nistp256-cert-v01@openssh.com", path: "/k/id_ecdsa-cert.pub")
    let ed25519 = SSHIdentity(
      path: "/k/id_ed25519", privateKey: RSAFixture.openSSH,
      certificate: try Self.certificate("ssh-rsa-cert-v01@openssh.com", path: "/k/id_rsa-cert.pub"))
    let plan = AuthenticationPlan(credentials: SSHCredentials(identities: [ecdsa, ed25519]))
    #expect(
      AuthenticationPlanTests.describe(plan) == [
        "certificate /k/id_ecdsa-cert.pub", "identity /k/id_ecdsa", "identity /k/id_ed25519 rsa-sha2-512",
        "identity /k/id_ed25519 rsa-sha2-256",
      ])
    #expect(plan.skippedCertificates == ["/k/id_rsa-cert.pub"])
    let failure = plan.failure(tried: ["publickey /k/id_ecdsa"], serverAccepts: [])
    #expect(
      failure
        == .authenticationFailed(
          tried: ["publickey /k/id_ecdsa", "/k/id_rsa-cert.pub (certificate, skipped: libssh2 1.10 cannot sign it)"], serverAccepts: []))
    // The agent's copy of a certificate given as a file is not offered again.
    #expect(!plan.offers(agentBlob: try #require(ecdsa.certificate?.blob)))
  }
}
