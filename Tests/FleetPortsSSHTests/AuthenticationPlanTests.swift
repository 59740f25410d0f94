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
      case .identity(let identity, let rsa): return "identity \(identity.path)" + (rsa.map { " \($0.rawValue)" } ?? "")
      case .certificate(let identity): return "certificate \(identity.certificate?.path ?? "")"
      case .agent(let socketPath, let rsa, let onlyRSA): return "agent \(socketPath) \(rsa.rawValue)" + (onlyRSA ? " RSA only" : "")
      }
    }
  }

  @Test func identityFilesComeInTheOrderGivenThenTheAgent() {
    let plan = AuthenticationPlan(credentials: SSHCredentials(identities: [Self.ecdsa, Self.ed25519], agentSocket: "/run/agent.sock"))
    #expect(
      Self.describe(plan) == ["identity /k/id_ecdsa", "identity /k/id_ed25519", "agent /run/agent.sock rsa-sha2-512", "agent /run/agent.sock rsa-sha2-256 RSA only"])
    #expect(plan.skippedRSA.isEmpty)
  }

  @Test func rsaKeysItCannotReadAreLeftOutAndRemembered() {
    let plan = AuthenticationPlan(credentials: SSHCredentials(identities: [Self.rsa, Self.ed25519, Self.pemRSA]))
    #expect(Self.describe(plan) == ["identity /k/id_ed25519"])
    #expect(plan.skippedRSA == ["/k/id_rsa", "/k/legacy_rsa"])
  }

  /// RSA keys go as rsa-sha2-512 in their turn; rsa-sha2-256 comes after everything else, so
  /// a server that takes only SHA-512 (every OpenSSH by default) never pays for it.
  @Test func readableRSAKeysAreSignedWithSHA512FirstAndSHA256Last() throws {
    let rsa = SSHIdentity(path: "/k/id_rsa", privateKey: RSAFixture.openSSH)
    let pem = SSHIdentity(path: "/k/legacy.pem", privateKey: RSAFixture.pem)
    let plan = AuthenticationPlan(credentials: SSHCredentials(identities: [rsa, Self.ed25519, pem], agentSocket: "/a"))
    #expect(
      Self.describe(plan) == [
        "identity /k/id_rsa rsa-sha2-512", "identity /k/id_ed25519", "identity /k/legacy.pem rsa-sha2-512", "agent /a rsa-sha2-512",
        "identity /k/id_rsa rsa-sha2-256", "identity /k/legacy.pem rsa-sha2-256", "agent /a rsa-sha2-256 RSA only",
      ])
    #expect(plan.skippedRSA.isEmpty)
    // Both formats of the same key are the same key, as ssh-keygen prints it.
    #expect(rsa.publicBlob == pem.publicBlob)
    #expect(rsa.publicBlob == RSAFixture.publicBlob)
    #expect(!plan.offers(agentBlob: RSAFixture.publicBlob))
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
      == "/k/id_rsa is an RSA key fleetports cannot read to sign with rsa-sha2 itself, and this libssh2 (1.10) signs RSA only with ssh-rsa (SHA-1),"
      + " which OpenSSH 8.8+ refuses; give it unencrypted in OpenSSH or PEM format, load it into ssh-agent, or use an ed25519 key")
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
      — wrong passphrase or unsupported key format?; check the file, its passphrase (--passphrase-env) and that it is an ed25519, ECDSA or RSA key
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

/// A throwaway 1024-bit RSA key (`ssh-keygen -t rsa -b 1024`), in OpenSSH format and the same
/// key as PEM (`ssh-keygen -p -m PEM`): the numbers must come out the same from both.
enum RSAFixture {
  static let openSSH = Array("""
    -----BEGIN OPENSSH PRIVATE KEY-----
    b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAlwAAAAdzc2gtcn
    NhAAAAAwEAAQAAAIEApo07dvLe+VZeYODYNUbzKbyrAoVNGZSy5hv/GDSLDWZNAzSj/rQD
    y5324/pu8xYHUiOSYaxSrw8v4rqQHjNYeGt2YgoIaWD3+URIso3IvdYgV1SUO1YyewgvJs
    gckiiVWD+8BF+ehDmqh8T55Cuoz8FNl9IZ2tYyHHS7IFyIRrEAAAIAdNND0HTTQ9AAAAAH
    c3NoLXJzYQAAAIEApo07dvLe+VZeYODYNUbzKbyrAoVNGZSy5hv/GDSLDWZNAzSj/rQDy5
    324/pu8xYHUiOSYaxSrw8v4rqQHjNYeGt2YgoIaWD3+URIso3IvdYgV1SUO1YyewgvJsgc
    kiiVWD+8BF+ehDmqh8T55Cuoz8FNl9IZ2tYyHHS7IFyIRrEAAAADAQABAAAAgBP+IiQ+NU
    vi9UNV2j5S/P+GmVSdIcsvUWZT+AQ00nhSTm5TFFiPzWDU3n0xY74kZ86RXJIC+I3xGcNy
    t7gYW8cvFNWuK9wc44UxGRPtusngplHiqlUxypjI5MCUNtrlSch/1lsGbY+jXK4XyIZLBS
    sooSSp+I39w6FLd1dPZqe9AAAAQEc+cd3KWEESwOxXjaoEP2X/yDfjRuDs+5UFGi1JPT7V
    jRYXXoV/qlBgROzO0NhYGVU7tjTDqwCqpv5qdFPksFwAAABBAN2JdWdQNAzL6OA+NvFbvM
    ki5/755tQDWmkMBorZINRRcSM4/FYcyk73jx38X4GY3d6gICUXcOyn+K3rnQm6V5sAAABB
    AMB2Bv5ethoIhtHj/GogalbRrrEy2rQb2CtfFWd8zxM562tMXfPQu86CHMpPSo+XaD5eSS
    Nzl6/jqHnD74fY7aMAAAAHZml4dHVyZQECAwQ=
    -----END OPENSSH PRIVATE KEY-----
    """.utf8)
  static let pem = Array("""
    -----BEGIN RSA PRIVATE KEY-----
    MIICWwIBAAKBgQCmjTt28t75Vl5g4Ng1RvMpvKsChU0ZlLLmG/8YNIsNZk0DNKP+
    tAPLnfbj+m7zFgdSI5JhrFKvDy/iupAeM1h4a3ZiCghpYPf5REiyjci91iBXVJQ7
    VjJ7CC8myBySKJVYP7wEX56EOaqHxPnkK6jPwU2X0hna1jIcdLsgXIhGsQIDAQAB
    AoGAE/4iJD41S+L1Q1XaPlL8/4aZVJ0hyy9RZlP4BDTSeFJOblMUWI/NYNTefTFj
    viRnzpFckgL4jfEZw3K3uBhbxy8U1a4r3BzjhTEZE+26yeCmUeKqVTHKmMjkwJQ2
    2uVJyH/WWwZtj6NcrhfIhksFKyihJKn4jf3DoUt3V09mp70CQQDdiXVnUDQMy+jg
    PjbxW7zJIuf++ebUA1ppDAaK2SDUUXEjOPxWHMpO948d/F+BmN3eoCAlF3Dsp/it
    650JulebAkEAwHYG/l62GgiG0eP8aiBqVtGusTLatBvYK18VZ3zPEznra0xd89C7
    zoIcyk9Kj5doPl5JI3OXr+OoecPvh9jtowJAcC7if+2yXeSISb3XjsNYxzXg61Jb
    HHOSPe20Bm3LXRjcxOxfg6/Slshv9cxOBM+HUuwdOwsyyPSKTnAotrthDwJAA5+1
    TgDWiPL0JuuWCyGFHxFfqrJ8b7u+fEKUEpjFBWWnyyNq+XZKsv68MAsCKmX9bn8z
    /Vjl2Ef/GhvYXMR25QJARz5x3cpYQRLA7FeNqgQ/Zf/IN+NG4Oz7lQUaLUk9PtWN
    FhdehX+qUGBE7M7Q2FgZVTu2NMOrAKqm/mp0U+SwXA==
    -----END RSA PRIVATE KEY-----
    """.utf8)
  static let publicBlob = Array(Data(base64Encoded: "AAAAB3NzaC1yc2EAAAADAQABAAAAgQCmjTt28t75Vl5g4Ng1RvMpvKsChU0ZlLLmG/8YNIsNZk0DNKP+tAPLnfbj+m7zFgdSI5JhrFKvDy/iupAeM1h4a3ZiCghpYPf5REiyjci91iBXVJQ7VjJ7CC8myBySKJVYP7wEX56EOaqHxPnkK6jPwU2X0hna1jIcdLsgXIhGsQ==") ?? Data())
}
