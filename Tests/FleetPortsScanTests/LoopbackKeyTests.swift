import FleetPortsCore
import FleetPortsSSH
import Foundation
import LabSupport
import Testing

@testable import FleetPortsScan

#if canImport(Glibc)
  import Glibc
#endif

/// Issue 17's keys on a real sshd on 127.0.0.1: MaxAuthTries named with what was really
/// offered, and an encrypted key with its passphrase scanning like any other.
@Suite(.loopbackSSHD, .serialized) struct LoopbackKeyTests {
  @Test func maxAuthTriesNamesTheKeysReallyOffered() async throws {
    let sshd = try LoopbackSSHD(config: "MaxAuthTries 2")
    defer { sshd.stop() }
    var identities: [SSHIdentity] = []
    for index in 0..<3 {
      let path = try IdentityFilesTests.key(sshd.directory, "stranger\(index)")
      identities.append(SSHIdentity(path: path, privateKey: Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
    }
    identities.append(SSHIdentity(path: sshd.clientKeyPath, privateKey: Array(try Data(contentsOf: URL(fileURLWithPath: sshd.clientKeyPath)))))
    let scanner = FleetScanner(
      knownHosts: try KnownHostsStore(path: sshd.knownHostsPath), checking: .strict, identities: [:], defaultIdentities: identities,
      agentSocket: nil, method: .auto, parallel: 1, deadlines: SSHDeadlines(connect: .seconds(10), handshakeAndAuth: .seconds(20), command: .seconds(20)))
    let (hosts, _) = await scanner.scan([LoopbackLoginTests.target(sshd, "root")])
    let failure = try #require(hosts.first?.failure)
    #expect(failure.code == .authenticationFailed)
    #expect(failure.message.contains("MaxAuthTries"), "\(failure.message)")
    #expect(!failure.message.contains("stranger2") && !failure.message.contains(sshd.clientKeyPath), "only keys offered: \(failure.message)")
    #expect(failure.message.contains("stranger0") && failure.message.contains("stranger1"), "\(failure.message)")
  }

  /// A key given as `--identity` and also held by a real ssh-agent is offered once. The file
  /// key is not let in (one failure), the agent holds it first and then the key that is let
  /// in: with `MaxAuthTries 2` a second offer of the same key would be the server's last
  /// failure, so the scan gets in only when the agent's copy is skipped.
  @Test func anAgentKeyThatIsAlsoAFileIsOfferedOnce() async throws {
    let sshd = try LoopbackSSHD(config: "MaxAuthTries 2")
    defer { sshd.stop() }
    let stranger = try IdentityFilesTests.key(sshd.directory, "stranger")
    let socket = sshd.directory + "/agent.sock"
    let started = try ChildProcess.run(["/usr/bin/ssh-agent", "-s", "-a", socket], timeout: .seconds(30))
    let pidText = started.stdoutText.components(separatedBy: "SSH_AGENT_PID=").dropFirst().first?.prefix { $0.isNumber } ?? ""
    let agentPID = try #require(pid_t(String(pidText)), "ssh-agent: \(started.stdoutText) \(started.stderrText)")
    defer { kill(agentPID, SIGTERM) }
    for key in [stranger, sshd.clientKeyPath] {
      let added = try ChildProcess.run(["/usr/bin/ssh-add", key], environment: ["SSH_AUTH_SOCK": socket], timeout: .seconds(30))
      try #require(added.status == 0, "ssh-add \(key): \(added.stderrText)")
    }
    let identity = SSHIdentity(path: stranger, privateKey: Array(try Data(contentsOf: URL(fileURLWithPath: stranger))))
    let scanner = FleetScanner(
      knownHosts: try KnownHostsStore(path: sshd.knownHostsPath), checking: .strict, identities: [:], defaultIdentities: [identity],
      agentSocket: socket, method: .auto, parallel: 1,
      deadlines: SSHDeadlines(connect: .seconds(10), handshakeAndAuth: .seconds(20), command: .seconds(20)))
    let (hosts, _) = await scanner.scan([LoopbackLoginTests.target(sshd, "root")])
    let host = try #require(hosts.first)
    #expect(host.status == .ok, "\(host.failure?.message ?? "")\n\(sshd.log)")
    // sshd saw one refused key: the stranger from its file, not once more from the agent.
    #expect(sshd.log.components(separatedBy: "Failed publickey").count - 1 == 1, "\(sshd.log)")
  }

  @Test func anEncryptedKeyWithItsPassphraseScans() async throws {
    let sshd = try LoopbackSSHD()
    defer { sshd.stop() }
    let path = try IdentityFilesTests.key(sshd.directory, "locked", passphrase: "fp17 test only", type: "ecdsa")
    let inventory = sshd.directory + "/inventory.ini"
    try "box ansible_host=127.0.0.1 ansible_port=\(sshd.port) ansible_user=root\n".write(toFile: inventory, atomically: true, encoding: .utf8)
    let common = [
      "scan", inventory, "--identity", path, "--known-hosts", sshd.knownHostsPath, "--ssh-config", "/dev/null", "--no-agent",
      "--out", sshd.directory + "/report", "--db", sshd.directory + "/history.db",
    ]
    let refused = try FleetPortsCLI.run(common)
    #expect(refused.status == 2 && refused.stderr.contains("identity \(path) is encrypted"), "\(refused.stderr)")
    let unset = try FleetPortsCLI.run(common + ["--passphrase-env", "FP17_UNSET_VARIABLE"])
    #expect(unset.status == 2 && unset.stderr.contains("FP17_UNSET_VARIABLE"), "\(unset.stderr)")
    // The public key of the encrypted key is let in as well.
    let authorized = try String(contentsOfFile: path + ".pub", encoding: .utf8)
    try (try String(contentsOfFile: sshd.directory + "/authorized_keys", encoding: .utf8) + authorized).write(
      toFile: sshd.directory + "/authorized_keys", atomically: true, encoding: .utf8)
    let ran = try ChildProcess.run(
      [FleetPortsCLI.path] + common + ["--passphrase-env", "FP17_PASSPHRASE"],
      environment: ["FP17_PASSPHRASE": "fp17 test only", "PATH": "/usr/bin:/bin", "HOME": "/root"], timeout: .seconds(300))
    #expect(ran.status == 0, "\(ran.stdoutText)\n\(ran.stderrText)")
    let wrong = try ChildProcess.run(
      [FleetPortsCLI.path] + common + ["--passphrase-env", "FP17_PASSPHRASE"],
      environment: ["FP17_PASSPHRASE": "not the passphrase", "PATH": "/usr/bin:/bin", "HOME": "/root"], timeout: .seconds(300))
    #expect(wrong.status == 2, "\(wrong.stdoutText)\n\(wrong.stderrText)")
    #expect(wrong.stderrText.contains("identity \(path):") && wrong.stderrText.contains("incorrect passphrase"), "\(wrong.stderrText)")
  }

  /// Issue 17: "each key is decrypted once per scan". Twelve targets on one sshd, scanned with an
  /// encrypted Ed25519 key (signed in-process once decrypted) and then an encrypted ECDSA key
  /// (through libssh2, given no passphrase): every host is scanned and each key was decrypted
  /// once, when it was loaded, whatever the number of hosts.
  @Test(arguments: [("ed25519", "aes256-ctr"), ("ecdsa", "chacha20-poly1305@openssh.com")])
  func anEncryptedKeyIsDecryptedOnceForAScanOfManyHosts(_ type: String, _ cipher: String) async throws {
    let sshd = try LoopbackSSHD()
    defer { sshd.stop() }
    let path = sshd.directory + "/locked_\(type)"
    let made = try ChildProcess.run(
      ["/usr/bin/ssh-keygen", "-q", "-t", type, "-Z", cipher, "-N", "fp17 test only", "-f", path], timeout: .seconds(60))
    try #require(made.status == 0, "ssh-keygen: \(made.stderrText)")
    // Only this key is let in.
    try String(contentsOfFile: path + ".pub", encoding: .utf8).write(toFile: sshd.directory + "/authorized_keys", atomically: true, encoding: .utf8)
    let identity = try #require(try IdentityFiles.load(path, rules: .init(passphrase: "fp17 test only", allowOpenKeyFiles: false)))
    // No passphrase left for libssh2: it cannot run the KDF again for a host.
    #expect(identity.passphrase == nil && !IdentityKind.isEncrypted(identity.privateKey))
    #expect(KeyDecryptionLog.count(path: path) == 1)
    let targets = (1...12).map { LoopbackLoginTests.target(sshd, "root", name: "box\($0)") }
    let scanner = FleetScanner(
      knownHosts: try KnownHostsStore(path: sshd.knownHostsPath), checking: .strict, identities: [:], defaultIdentities: [identity],
      agentSocket: nil, method: .auto, parallel: 4,
      deadlines: SSHDeadlines(connect: .seconds(10), handshakeAndAuth: .seconds(30), command: .seconds(30)))
    let (hosts, _) = await scanner.scan(targets)
    #expect(hosts.count == 12)
    for host in hosts {
      #expect(host.status == .ok, "\(host.name): \(host.failure?.message ?? "")")
    }
    #expect(KeyDecryptionLog.count(path: path) == 1, "decrypted again during the scan")
    #expect(sshd.log.components(separatedBy: "Accepted publickey").count - 1 == 12, "\(sshd.log)")
  }
}
