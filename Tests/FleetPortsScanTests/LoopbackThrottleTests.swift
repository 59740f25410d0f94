import FleetPortsCore
import FleetPortsSSH
import FleetPortsScan
import Foundation
import LabSupport
import Testing

/// Issue 17's throttled servers on a real sshd on 127.0.0.1: MaxStartups' random early drop
/// under `--parallel 20` no longer loses hosts.
@Suite(.loopbackSSHD, .serialized) struct LoopbackThrottleTests {
  /// The issue's case: 20 inventory names for one sshd with `MaxStartups 3:30:10`, scanned
  /// with `--parallel 20` through the built binary: with the default `--per-server` (8), and
  /// with `--per-server 20`, where the retries alone must get every host in.
  @Test(arguments: [nil, 20] as [Int?])
  func twentyTargetsOnAThrottledServerAreAllScanned(perServer: Int?) throws {
    let sshd = try LoopbackSSHD(config: "MaxStartups 3:30:10")
    defer { sshd.stop() }
    let inventory = sshd.directory + "/inventory.ini"
    let lines = (1...20).map { "box\($0) ansible_host=127.0.0.1 ansible_port=\(sshd.port) ansible_user=root" }
    try (lines.joined(separator: "\n") + "\n").write(toFile: inventory, atomically: true, encoding: .utf8)
    let clock = ContinuousClock()
    let start = clock.now
    let ran = try FleetPortsCLI.run(
      [
        "scan", inventory, "--parallel", "20", "--identity", sshd.clientKeyPath, "--known-hosts", sshd.knownHostsPath,
        "--ssh-config", "/dev/null", "--no-agent", "--out", sshd.directory + "/report", "--db", sshd.directory + "/history.db",
      ] + (perServer.map { ["--per-server", String($0)] } ?? []))
    let wall = clock.now - start
    let json = try Data(contentsOf: URL(fileURLWithPath: sshd.directory + "/report/scan.json"))
    let result = try JSONDecoder().decode(ScanResult.self, from: json)
    // sshd logs each connection its MaxStartups dropped: the retries fleetports had to make.
    let drops = sshd.log.components(separatedBy: "drop connection #").count - 1
    let failures = result.failed.map { "\($0.name): \($0.failure?.message ?? "")" }.joined(separator: "\n")
    print(
      "MaxStartups 3:30:10, --parallel 20, --per-server \(perServer ?? 8): \(result.succeeded.count)/20 scanned in \(wall), sshd dropped \(drops) connections"
    )
    #expect(result.succeeded.count == 20, "\(failures)\n\(ran.stderr)")
    #expect(ran.status == 0, "\(ran.stdout)\n\(ran.stderr)")
  }
}
