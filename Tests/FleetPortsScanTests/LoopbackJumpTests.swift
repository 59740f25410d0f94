import FleetPortsCore
import FleetPortsSSH
import FleetPortsScan
import Foundation
import LabSupport
import Testing

/// ProxyJump through a real sshd on 127.0.0.1 that is its own jump host: one jump session,
/// a `direct-tcpip` channel per target back to the same sshd. Runs in `make test` without
/// the lab; the bastion network itself is `BastionLabTests`.
@Suite(.loopbackSSHD, .serialized) struct LoopbackJumpTests {
  static func identity(_ sshd: LoopbackSSHD) throws -> SSHIdentity {
    SSHIdentity(path: sshd.clientKeyPath, privateKey: Array(try Data(contentsOf: URL(fileURLWithPath: sshd.clientKeyPath))))
  }

  static func jump(_ sshd: LoopbackSSHD) -> JumpHop {
    JumpHop(name: "loopback-jump", address: "127.0.0.1", port: sshd.port, user: "root")
  }

  @Test func manyTargetsShareOneJumpSessionWithFewChannels() async throws {
    let sshd = try LoopbackSSHD()
    defer { sshd.stop() }
    let scanner = FleetScanner(
      knownHosts: try KnownHostsStore(path: sshd.knownHostsPath), checking: .strict, identities: [:],
      defaultIdentities: [try Self.identity(sshd)], agentSocket: nil, method: .auto, parallel: 16,
      deadlines: SSHDeadlines(connect: .seconds(10), handshakeAndAuth: .seconds(60), command: .seconds(60)), channelsPerJump: 3)
    let targets = (1...12).map { index in
      ScanTarget(
        name: "behind-\(index)", address: "127.0.0.1", port: sshd.port, user: "root", identityFile: nil, groups: [], sudo: false,
        route: .jump([Self.jump(sshd)]))
    }
    let (results, interrupted) = await scanner.scan(targets)
    #expect(!interrupted)
    for result in results {
      #expect(result.status == .ok, "\(result.name): \(result.failure?.message ?? "")")
      #expect(result.snapshot?.listeners.isEmpty == false, "\(result.name)")
    }
    // One jump session: sshd logged one more accepted login than there were targets.
    let logins = sshd.log.components(separatedBy: "Accepted publickey for root").count - 1
    #expect(logins == targets.count + 1, "logins: \(logins)\n\(sshd.log.suffix(2000))")
  }

  @Test func ctrlCEndsTheScanAndItsJumpSessionPromptly() async throws {
    let sshd = try LoopbackSSHD()
    defer { sshd.stop() }
    let scanner = FleetScanner(
      knownHosts: try KnownHostsStore(path: sshd.knownHostsPath), checking: .strict, identities: [:],
      defaultIdentities: [try Self.identity(sshd)], agentSocket: nil, method: .auto, parallel: 8,
      deadlines: SSHDeadlines(connect: .seconds(10), handshakeAndAuth: .seconds(60), command: .seconds(60)), channelsPerJump: 2)
    let targets = (1...16).map { index in
      ScanTarget(
        name: "behind-\(index)", address: "127.0.0.1", port: sshd.port, user: "root", identityFile: nil, groups: [], sudo: false,
        route: .jump([Self.jump(sshd)]))
    }
    let clock = ContinuousClock()
    let scan = Task { await scanner.scan(targets) }
    try await Task.sleep(for: .milliseconds(300))
    let cancelledAt = clock.now
    scan.cancel()
    let (results, interrupted) = await scan.value
    // The scan returns only after the jump pool has shut down: channels, session, sockets.
    #expect(clock.now - cancelledAt < .seconds(5))
    #expect(interrupted)
    #expect(results.count == targets.count)
    #expect(results.contains { $0.status == .notScanned })
  }

  @Test func megabytesCrossTheChannelIntactBothWays() async throws {
    let sshd = try LoopbackSSHD()
    defer { sshd.stop() }
    let base = SSHClient(
      knownHosts: try KnownHostsStore(path: sshd.knownHostsPath), credentials: SSHCredentials(identities: [try Self.identity(sshd)]),
      deadlines: SSHDeadlines(connect: .seconds(10), handshakeAndAuth: .seconds(60), command: .seconds(60)))
    let pool = JumpPool(base: base, identities: [:], channelsPerJump: 2)
    var client = base
    client.jumps = pool
    let target = SSHTarget(host: "127.0.0.1", port: sshd.port, user: "root", route: .jump([Self.jump(sshd)]))
    // 3 MB up (stdin), its digest and 4 MB down (stdout), in three sessions on one jump.
    let upload = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
    async let counted = client.run("wc -c", stdin: upload, on: target)
    async let zeros = client.run("head -c 4194304 /dev/zero", on: target)
    async let small = client.run("echo hello", on: target)
    let (up, down, hello) = try await (counted, zeros, small)
    #expect(String(decoding: up.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "\(upload.count)")
    #expect(down.stdout.count == 4 << 20 && down.stdout.allSatisfy { $0 == 0 })
    #expect(hello.stdout == Array("hello\n".utf8))
    await pool.shutdown()
  }

  @Test func aJumpHostWhoseKeyIsUnknownFailsTheTargetNamingIt() async throws {
    let sshd = try LoopbackSSHD()
    defer { sshd.stop() }
    let empty = sshd.directory + "/empty_known_hosts"
    try "".write(toFile: empty, atomically: true, encoding: .utf8)
    let base = SSHClient(
      knownHosts: try KnownHostsStore(path: empty), credentials: SSHCredentials(identities: [try Self.identity(sshd)]),
      deadlines: SSHDeadlines(connect: .seconds(5), handshakeAndAuth: .seconds(10), command: .seconds(10)))
    let pool = JumpPool(base: base, identities: [:])
    var client = base
    client.jumps = pool
    let target = SSHTarget(host: "127.0.0.1", port: sshd.port, user: "root", route: .jump([Self.jump(sshd)]))
    do throws(SSHError) {
      _ = try await client.run("true", on: target)
      Issue.record("a jump host with an unknown key must not carry the target")
    } catch {
      #expect(error.code == .jumpHostFailed)
      #expect("\(error)".contains("jump host loopback-jump (127.0.0.1:\(sshd.port)) failed: host key unknown"), "\(error)")
    }
    await pool.shutdown()
  }
}
