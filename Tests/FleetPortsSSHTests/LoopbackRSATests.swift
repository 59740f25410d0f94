import FleetPortsCore
import Foundation
import LabSupport
import Testing

@testable import FleetPortsSSH

/// RSA keys, ssh-agent and certificates against a real OpenSSH sshd (9.2, Debian 12) on
/// 127.0.0.1 with its default PubkeyAcceptedAlgorithms, which refuse `ssh-rsa` (SHA-1).
@Suite(.loopbackSSHD, .serialized) struct LoopbackRSATests {
  /// A throwaway key made by ssh-keygen in `dir` (`extra`: more ssh-keygen arguments, like `-m PEM`).
  static func key(_ dir: String, _ name: String, type: String, extra: [String] = []) throws -> String {
    let path = dir + "/" + name
    let made = try ChildProcess.run(
      ["/usr/bin/ssh-keygen", "-q", "-t", type, "-N", "", "-C", name, "-f", path] + extra, timeout: .seconds(60))
    try #require(made.status == 0, "ssh-keygen: \(made.stderrText)")
    return path
  }

  static func publicKey(_ path: String) throws -> String { try String(contentsOfFile: path + ".pub", encoding: .utf8) }

  static func identity(_ path: String, certificate: String? = nil) throws -> SSHIdentity {
    let cert = try certificate.map { try SSHCertificate(path: $0, contents: Array(try Data(contentsOf: URL(fileURLWithPath: $0)))) }
    return SSHIdentity(path: path, privateKey: Array(try Data(contentsOf: URL(fileURLWithPath: path))), certificate: cert)
  }

  /// Runs `id -un` as root on `sshd` with `credentials`.
  static func login(_ sshd: LoopbackSSHD, _ credentials: SSHCredentials) async throws -> SSHCommandResult {
    let client = SSHClient(
      knownHosts: try KnownHostsStore(path: sshd.knownHostsPath), checking: .strict, credentials: credentials,
      deadlines: SSHDeadlines(connect: .seconds(10), handshakeAndAuth: .seconds(20), command: .seconds(20)))
    return try await client.run("id -un", on: SSHTarget(host: "127.0.0.1", port: sshd.port, user: "root"))
  }

  static func scratch() throws -> String {
    let dir = NSTemporaryDirectory() + "fp-rsa-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  @Test(arguments: [("OpenSSH", [String]()), ("PEM", ["-m", "PEM"])])
  func anRSAKeyLogsInWithSHA2(format: String, extra: [String]) async throws {
    let dir = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let rsa = try Self.key(dir, "id_rsa", type: "rsa", extra: ["-b", "3072"] + extra)
    let text = try String(contentsOfFile: rsa, encoding: .utf8)
    #expect(text.contains(format == "PEM" ? "BEGIN RSA PRIVATE KEY" : "BEGIN OPENSSH PRIVATE KEY"))
    let sshd = try LoopbackSSHD(extraAuthorizedKeys: [try Self.publicKey(rsa)])
    defer { sshd.stop() }
    let result = try await Self.login(sshd, SSHCredentials(identities: [try Self.identity(rsa)]))
    #expect(String(decoding: result.stdout, as: UTF8.self) == "root\n", "\(sshd.log)")
    #expect(sshd.log.contains("Accepted publickey for root") && sshd.log.contains(": RSA SHA256:"), "\(sshd.log)")
  }

  /// What this all is for: the same key signed as `ssh-rsa` (SHA-1, what libssh2 1.10 does) is
  /// refused by default and let in when the server allows it, so the refusal is the algorithm.
  @Test func anSSHRSASignatureIsWhatSSHDRefuses() async throws {
    let dir = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let rsa = try Self.key(dir, "id_rsa", type: "rsa")
    var sha1 = SSHCredentials(identities: [try Self.identity(rsa)])
    sha1.rsaSignatures = [.sha1]
    let strict = try LoopbackSSHD(extraAuthorizedKeys: [try Self.publicKey(rsa)])
    defer { strict.stop() }
    let error = await #expect(throws: SSHError.self) { try await Self.login(strict, sha1) }
    #expect(error?.kind == .authenticationFailed(tried: ["publickey \(rsa) (ssh-rsa)"], serverAccepts: ["publickey"]), "\(strict.log)")
    #expect(strict.log.contains("ssh-rsa not in PubkeyAcceptedAlgorithms"), "\(strict.log)")
    let lenient = try LoopbackSSHD(config: "PubkeyAcceptedAlgorithms +ssh-rsa", extraAuthorizedKeys: [try Self.publicKey(rsa)])
    defer { lenient.stop() }
    #expect(try await Self.login(lenient, sha1).exitStatus == 0, "\(lenient.log)")
  }

  /// A server that takes only rsa-sha2-256 gets it after rsa-sha2-512 was refused.
  @Test func aServerWithoutSHA512GetsSHA256() async throws {
    let dir = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let rsa = try Self.key(dir, "id_rsa", type: "rsa")
    let sshd = try LoopbackSSHD(config: "PubkeyAcceptedAlgorithms rsa-sha2-256,ssh-ed25519", extraAuthorizedKeys: [try Self.publicKey(rsa)])
    defer { sshd.stop() }
    #expect(try await Self.login(sshd, SSHCredentials(identities: [try Self.identity(rsa)])).exitStatus == 0, "\(sshd.log)")
    #expect(sshd.log.contains("rsa-sha2-512 not in PubkeyAcceptedAlgorithms"), "\(sshd.log)")
  }

  @Test func anAgentHoldingOnlyAnRSAKeyLogsIn() async throws {
    let dir = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let rsa = try Self.key(dir, "id_rsa", type: "rsa")
    let agent = try LoopbackAgent(directory: dir)
    defer { agent.stop() }
    try agent.add(rsa)
    #expect(try agent.listed().count == 1 && agent.listed()[0].hasPrefix("ssh-rsa "))
    let sshd = try LoopbackSSHD(extraAuthorizedKeys: [try Self.publicKey(rsa)])
    defer { sshd.stop() }
    let result = try await Self.login(sshd, SSHCredentials(agentSocket: agent.socketPath))
    #expect(result.exitStatus == 0, "\(sshd.log)")
    #expect(sshd.log.contains(": RSA SHA256:"), "\(sshd.log)")
    // With only ssh-rsa allowed to be asked for, the agent's key is refused like the file's.
    var sha1 = SSHCredentials(agentSocket: agent.socketPath)
    sha1.rsaSignatures = [.sha1]
    let error = await #expect(throws: SSHError.self) { try await Self.login(sshd, sha1) }
    #expect(error?.kind == .authenticationFailed(tried: ["agent id_rsa (ssh-rsa)"], serverAccepts: ["publickey"]))
  }

  /// Ed25519 and ECDSA agent keys go the same way; the key the server lets in comes after one it does not.
  @Test func agentEd25519AndECDSAKeysStillLogIn() async throws {
    let dir = try Self.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let stranger = try Self.key(dir, "stranger", type: "ed25519")
    let ecdsa = try Self.key(dir, "id_ecdsa", type: "ecdsa")
    let agent = try LoopbackAgent(directory: dir)
    defer { agent.stop() }
    try agent.add(stranger)
    try agent.add(ecdsa)
    let sshd = try LoopbackSSHD(extraAuthorizedKeys: [try Self.publicKey(ecdsa)])
    defer { sshd.stop() }
    #expect(try await Self.login(sshd, SSHCredentials(agentSocket: agent.socketPath)).exitStatus == 0, "\(sshd.log)")
    #expect(sshd.log.contains("Accepted publickey for root") && sshd.log.contains(": ECDSA SHA256:"), "\(sshd.log)")
  }
}

/// OpenSSH user certificates signed by a CA that sshd trusts (TrustedUserCAKeys); the keys
/// themselves are in no authorized_keys.
@Suite(.loopbackSSHD, .serialized) struct LoopbackCertificateTests {
  /// A CA in its own folder, a key of `type` and its certificate for principal root.
  static func certified(_ type: String) throws -> (dir: String, key: String, certificate: String, caPublic: String) {
    let dir = try LoopbackRSATests.scratch()
    let ca = try LoopbackRSATests.key(dir, "ca", type: "ed25519")
    let key = try LoopbackRSATests.key(dir, "id_\(type)", type: type)
    let signed = try ChildProcess.run(
      ["/usr/bin/ssh-keygen", "-q", "-s", ca, "-I", "fleetports-test", "-n", "root", "-V", "-5m:+1h", key + ".pub"], timeout: .seconds(60))
    try #require(signed.status == 0, "ssh-keygen -s: \(signed.stderrText)")
    chmod(dir, 0o755)
    return (dir, key, key + "-cert.pub", ca + ".pub")
  }

  @Test func anECDSACertificateLogsInFromAFileAndFromTheAgent() async throws {
    let made = try Self.certified("ecdsa")
    defer { try? FileManager.default.removeItem(atPath: made.dir) }
    let sshd = try LoopbackSSHD(config: "TrustedUserCAKeys \(made.caPublic)")
    defer { sshd.stop() }
    let identity = try LoopbackRSATests.identity(made.key, certificate: made.certificate)
    #expect(try await LoopbackRSATests.login(sshd, SSHCredentials(identities: [identity])).exitStatus == 0, "\(sshd.log)")
    #expect(sshd.log.contains("ECDSA-CERT SHA256:") && sshd.log.contains("ID fleetports-test"), "\(sshd.log)")
    // Without the certificate the key alone is refused: the certificate is what let it in.
    let plain = try LoopbackRSATests.identity(made.key)
    await #expect(throws: SSHError.self) { try await LoopbackRSATests.login(sshd, SSHCredentials(identities: [plain])) }
    let agent = try LoopbackAgent(directory: made.dir)
    defer { agent.stop() }
    try agent.add(made.key)  // ssh-add adds the -cert.pub beside it too
    #expect(try agent.listed().contains { $0.hasPrefix("ecdsa-sha2-nistp256-cert-v01@openssh.com ") })
    #expect(try await LoopbackRSATests.login(sshd, SSHCredentials(agentSocket: agent.socketPath)).exitStatus == 0, "\(sshd.log)")
  }

  /// libssh2 1.10 names an Ed25519 or RSA certificate's signature after the certificate, which
  /// sshd refuses; so those certificates are left out (their keys still offered) and named.
  @Test(arguments: ["ed25519", "rsa"])
  func ed25519AndRSACertificatesAreLeftOutAndNamed(type: String) async throws {
    let made = try Self.certified(type)
    defer { try? FileManager.default.removeItem(atPath: made.dir) }
    let sshd = try LoopbackSSHD(config: "TrustedUserCAKeys \(made.caPublic)")
    defer { sshd.stop() }
    let identity = try LoopbackRSATests.identity(made.key, certificate: made.certificate)
    let error = await #expect(throws: SSHError.self) { try await LoopbackRSATests.login(sshd, SSHCredentials(identities: [identity])) }
    guard case .authenticationFailed(let tried, _)? = error?.kind else {
      Issue.record("expected authenticationFailed, got \(String(describing: error))")
      return
    }
    #expect(tried.last == "\(made.certificate) (certificate, skipped: libssh2 1.10 cannot sign it)", "\(tried)")
  }

  /// The reason they are left out, shown: offered anyway (the certificate blob, signed by the
  /// key), sshd refuses what libssh2 1.10 sends. When this test fails, libssh2 names these
  /// signatures right and the rule in `PublicKeyAlgorithm.libssh2CanSign` can go.
  @Test(arguments: ["ed25519", "rsa"])
  func libssh2TenSignsEd25519AndRSACertificatesInAWaySSHDRefuses(type: String) async throws {
    let made = try Self.certified(type)
    defer { try? FileManager.default.removeItem(atPath: made.dir) }
    let sshd = try LoopbackSSHD(config: "TrustedUserCAKeys \(made.caPublic)")
    defer { sshd.stop() }
    var credentials = SSHCredentials(identities: [try LoopbackRSATests.identity(made.key, certificate: made.certificate)])
    credentials.offersUnsignableCertificates = true
    let error = await #expect(throws: SSHError.self) { try await LoopbackRSATests.login(sshd, credentials) }
    guard case .authenticationFailed(let tried, _)? = error?.kind else {
      Issue.record("expected authenticationFailed, got \(String(describing: error))")
      return
    }
    #expect(tried.first == "certificate \(made.certificate)", "\(tried)")
    // An Ed25519 certificate is taken (its CA is trusted) and its signature, named after the
    // certificate, refused; an RSA certificate cannot be renamed to rsa-sha2-512-cert, so it goes
    // as ssh-rsa-cert, which is refused like ssh-rsa.
    let refusal = type == "rsa" ? "ssh-rsa-cert-v01@openssh.com not in PubkeyAcceptedAlgorithms" : "Failed publickey for root from 127.0.0.1"
    #expect(sshd.log.contains(refusal), "\(sshd.log)")
    if type == "ed25519" { #expect(sshd.log.contains("ED25519-CERT SHA256:") && sshd.log.contains("CA ED25519"), "\(sshd.log)") }
  }
}
