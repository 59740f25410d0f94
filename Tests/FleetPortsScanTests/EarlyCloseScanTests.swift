import FleetPortsCore
import FleetPortsSSH
import FleetPortsScan
import Foundation
import LabSupport
import Testing

/// A server that closes every connection before SSH started (a python3 listener on 127.0.0.1
/// that accepts and closes at once): the host is tried a bounded number of times, within its
/// deadline, and its row names MaxStartups, the attempts and what to lower.
@Suite(.serialized) struct EarlyCloseScanTests {
  /// Scans the listener as one host with `handshake` as its handshake-and-login deadline.
  static func scan(_ listener: EarlyClosingListener, handshake: Duration) async throws -> (HostResult, Duration) {
    let dir = try LabScanScratch.make()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let scanner = FleetScanner(
      knownHosts: try KnownHostsStore(path: dir + "/known_hosts"), checking: .strict, identities: [:], defaultIdentities: [],
      agentSocket: nil, method: .auto, parallel: 1,
      deadlines: SSHDeadlines(connect: .seconds(5), handshakeAndAuth: handshake, command: .seconds(10)))
    let target = ScanTarget(
      name: "closer", address: "127.0.0.1", port: listener.port, user: "nobody", identityFile: nil, groups: [], sudo: false)
    let clock = ContinuousClock()
    let start = clock.now
    let (hosts, _) = await scanner.scan([target])
    // The listener counts a connection just after closing it: let its last count land.
    try await Task.sleep(for: .milliseconds(300))
    return (try #require(hosts.first), clock.now - start)
  }

  @Test func everyAttemptClosedNamesMaxStartupsAndTheAttempts() async throws {
    let listener = try EarlyClosingListener()
    defer { listener.stop() }
    // 100 + 200 + 400 + 800 ms ± 50 % of waits fit in 5 s: all 5 attempts are made.
    let (host, elapsed) = try await Self.scan(listener, handshake: .seconds(5))
    let failure = try #require(host.failure)
    #expect(host.status == .failed && failure.code == .connectionLost)
    #expect(
      failure.message
        == "the server closed the connection before SSH started, 5 times: sshd's MaxStartups may be throttling;"
        + " lower --parallel or --per-server, or raise MaxStartups on the server", "\(failure.message)")
    #expect(listener.accepted == 5)
    #expect(elapsed < .seconds(5), "\(elapsed)")
  }

  @Test func theRetriesStopAtTheHostsDeadline() async throws {
    let listener = try EarlyClosingListener()
    defer { listener.stop() }
    // 400 ms: the first waits fit, the 400 ms one (nominal) does not.
    let (host, elapsed) = try await Self.scan(listener, handshake: .milliseconds(400))
    let failure = try #require(host.failure)
    let attempts = listener.accepted
    #expect(attempts >= 2 && attempts < 5, "\(attempts) attempts")
    #expect(failure.message.contains("closed the connection before SSH started, \(attempts) times"), "\(failure.message)")
    #expect(failure.message.contains("MaxStartups"))
    #expect(elapsed < .milliseconds(400) + .seconds(1), "\(elapsed)")
  }
}
