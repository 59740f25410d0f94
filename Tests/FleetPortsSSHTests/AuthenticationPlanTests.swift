import CLibSSH2
import Foundation
import Testing
@testable import FleetPortsSSH

/// The login plan without a server: what is offered in which order, how each answer is
/// taken, and what a refused login says.
@Suite struct AuthenticationPlanTests {
  /// An OpenSSH private key container (`openssh-key-v1`) whose public key names `keyType`;
  /// IdentityKind reads only that part, so the rest is filler.
  static func openSSHKey(_ keyType: String) -> [UInt8] {
    func string(_ bytes: [UInt8]) -> [UInt8] {
      let length = UInt32(bytes.count)
      return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + bytes
    }
    let publicBlob = string(Array(keyType.utf8)) + string(Array(repeating: 7, count: 32))
    let body =
      Array("openssh-key-v1".utf8) + [0] + string(Array("none".utf8)) + string(Array("none".utf8)) + string([]) + [0, 0, 0, 1]
      + string(publicBlob) + string(Array(repeating: 9, count: 64))
    // Base64 in 70-character lines, as ssh-keygen writes it.
    var base64 = Substring(Data(body).base64EncodedString())
    var lines: [Substring] = []
    while !base64.isEmpty {
      lines.append(base64.prefix(70))
      base64 = base64.dropFirst(70)
    }
    return Array("-----BEGIN OPENSSH PRIVATE KEY-----\n\(lines.joined(separator: "\n"))\n-----END OPENSSH PRIVATE KEY-----\n".utf8)
  }

  static let ed25519 = SSHIdentity(path: "/k/id_ed25519", privateKey: openSSHKey("ssh-ed25519"))
  static let ecdsa = SSHIdentity(path: "/k/id_ecdsa", privateKey: openSSHKey("ecdsa-sha2-nistp256"))
  static let rsa = SSHIdentity(path: "/k/id_rsa", privateKey: openSSHKey("ssh-rsa"))
  static let pemRSA = SSHIdentity(
    path: "/k/legacy_rsa", privateKey: Array("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n".utf8))

  /// The steps as text, to compare in one line.
  static func describe(_ plan: AuthenticationPlan) -> [String] {
    plan.steps.map { step in
      switch step {
      case .identity(let identity): return "identity \(identity.path)"
      case .agent(let socketPath): return "agent \(socketPath)"
      }
    }
  }

  @Test func identityFilesComeInTheOrderGivenThenTheAgent() {
    let plan = AuthenticationPlan(credentials: SSHCredentials(identities: [Self.ecdsa, Self.ed25519], agentSocket: "/run/agent.sock"))
    #expect(Self.describe(plan) == ["identity /k/id_ecdsa", "identity /k/id_ed25519", "agent /run/agent.sock"])
    #expect(plan.skippedRSA.isEmpty)
  }

  @Test func rsaKeysAreLeftOutAndRemembered() {
    let plan = AuthenticationPlan(credentials: SSHCredentials(identities: [Self.rsa, Self.ed25519, Self.pemRSA]))
    #expect(Self.describe(plan) == ["identity /k/id_ed25519"])
    #expect(plan.skippedRSA == ["/k/id_rsa", "/k/legacy_rsa"])
  }

  @Test func noCredentialsMeansNoSteps() {
    let plan = AuthenticationPlan(credentials: SSHCredentials())
    #expect(plan.steps.isEmpty)
    #expect(plan.failure(tried: [], serverAccepts: ["publickey"]) == .authenticationFailed(tried: [], serverAccepts: ["publickey"]))
    #expect(SSHError(plan.failure(tried: [], serverAccepts: ["publickey"])).description
      == "authentication failed (tried: nothing; server accepts: publickey); check the user and that the key is in authorized_keys")
  }

  @Test func onlyRSAKeysIsExplainedAsTheRSALimitNotAsARefusal() {
    let plan = AuthenticationPlan(credentials: SSHCredentials(identities: [Self.rsa, Self.pemRSA]))
    #expect(plan.steps.isEmpty)
    let failure = plan.failure(tried: [], serverAccepts: ["publickey", "password"])
    #expect(failure == .rsaKeyUnsupported(path: "/k/id_rsa"))
    #expect(SSHError(failure).description
      == "/k/id_rsa is an RSA key: this libssh2 (1.10) can only sign with ssh-rsa (SHA-1), which OpenSSH 8.8+ refuses; use an ed25519 or ECDSA key (ssh-keygen -t ed25519)")
  }

  @Test func aRefusalListsWhatWasTriedAndTheSkippedRSAKeys() {
    let plan = AuthenticationPlan(credentials: SSHCredentials(identities: [Self.rsa, Self.ed25519], agentSocket: "/run/agent.sock"))
    let tried = [AuthenticationPlan.label(identityPath: "/k/id_ed25519"), AuthenticationPlan.label(agentKey: "me@laptop")]
    let failure = plan.failure(tried: tried, serverAccepts: [])
    #expect(failure == .authenticationFailed(tried: ["publickey /k/id_ed25519", "agent me@laptop", "/k/id_rsa (RSA, skipped)"], serverAccepts: []))
    #expect(SSHError(failure, host: "web1").description
      == "web1: authentication failed (tried: publickey /k/id_ed25519, agent me@laptop, /k/id_rsa (RSA, skipped); server accepts: unknown); check the user and that the key is in authorized_keys")
  }

  @Test(arguments: [
    (Int32(0), AuthenticationPlan.AttemptOutcome.authenticated),
    (LIBSSH2_ERROR_AUTHENTICATION_FAILED, .refused),
    (LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED, .refused),
    (LIBSSH2_ERROR_SOCKET_SEND, .connectionLost),
    (LIBSSH2_ERROR_SOCKET_RECV, .connectionLost),
    (LIBSSH2_ERROR_SOCKET_DISCONNECT, .connectionLost),
    (LIBSSH2_ERROR_TIMEOUT, .connectionLost),
    (LIBSSH2_ERROR_FILE, .keyUnusable),
    (LIBSSH2_ERROR_PUBLICKEY_PROTOCOL, .keyUnusable),
    (LIBSSH2_ERROR_METHOD_NOT_SUPPORTED, .keyUnusable),
  ])
  func eachLibssh2AnswerIsTakenOneWay(rc: Int32, outcome: AuthenticationPlan.AttemptOutcome) {
    #expect(AuthenticationPlan.outcome(of: rc) == outcome)
  }

  @Test func anUnusableKeyBlamesTheKeyInLibssh2sWords() {
    let kind = AuthenticationPlan.unusable(path: "/k/id_ecdsa", libssh2Message: "Unable to extract public key from private key file: Wrong passphrase or invalid/unrecognized private key file format")
    #expect(SSHError(kind).description == """
      cannot use identity /k/id_ecdsa: Unable to extract public key from private key file: Wrong passphrase or invalid/unrecognized private key file format \
      — wrong passphrase or unsupported key format?; check the file, its passphrase (--passphrase-env) and that it is an ed25519 or ECDSA key
      """)
  }
}

/// Issue 17: keys offered once, and a MaxAuthTries hang-up named as such.
@Suite struct AuthenticationPlanKeyTests {
  @Test func anAgentKeyThatIsAlsoAFileIsNotOfferedTwice() throws {
    let file = AuthenticationPlanTests.ecdsa
    let plan = AuthenticationPlan(credentials: SSHCredentials(identities: [file], agentSocket: "/run/agent.sock"))
    let blob = try #require(file.publicBlob)
    #expect(!plan.offers(agentBlob: blob))
    #expect(plan.offers(agentBlob: blob + [1]))
  }

  @Test func aRefusalOnAClosedConnectionIsTheConnectionLost() {
    #expect(AuthenticationPlan.outcome(of: LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED, peerClosed: true) == .connectionLost)
    #expect(AuthenticationPlan.outcome(of: LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED, peerClosed: false) == .refused)
    #expect(AuthenticationPlan.outcome(of: 0, peerClosed: true) == .authenticated)
  }

  @Test func aHangUpAfterRefusedKeysIsMaxAuthTries() {
    let tried = ["publickey /k/a", "publickey /k/b"]
    let kind = AuthenticationPlan.connectionBroke(tried: tried, libssh2Message: "socket disconnect")
    #expect(kind == .tooManyAuthenticationFailures(offered: tried))
    let text = SSHError(kind, host: "web1").description
    #expect(text.contains("MaxAuthTries") && text.contains("offered: publickey /k/a, publickey /k/b"), "\(text)")
    #expect(!text.contains("authorized_keys"))
    // The first attempt breaking is the network, unless the server said why.
    #expect(AuthenticationPlan.connectionBroke(tried: ["publickey /k/a"], libssh2Message: "reset") == .connectionLost(.authentication, "reset"))
    #expect(
      AuthenticationPlan.connectionBroke(tried: ["publickey /k/a"], libssh2Message: "Too many authentication failures")
        == .tooManyAuthenticationFailures(offered: ["publickey /k/a"]))
  }

  @Test func encryptedKeysAreRecognisedInEveryFormat() {
    #expect(!IdentityKind.isEncrypted(AuthenticationPlanTests.openSSHKey("ssh-ed25519")))
    #expect(IdentityKind.isEncrypted(Array("-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n".utf8)))
    #expect(IdentityKind.isEncrypted(Array("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n".utf8)))
  }
}
