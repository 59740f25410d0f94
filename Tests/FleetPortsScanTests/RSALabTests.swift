import FleetPortsCore
import FleetPortsSSH
import FleetPortsScan
import Foundation
import LabSupport
import Testing

/// Issue 16's must-show on the lab: the hosts whose only key for a user is RSA (sshd's default
/// algorithms, `ssh-rsa` refused) scan as that user, with the key file and with an ssh-agent
/// holding only that key; what they find is the lab's truth.
@Suite(.labFleet, .serialized) struct RSALabTests {
  /// The RSA user, its hosts and its key, from the lab's truth.
  static func rsaUser(_ lab: LabFleet) throws -> (user: LabTruth.RSAUser, hosts: [LabHost], keyPath: String) {
    let user = try #require(lab.truth.rsaUser, "the lab's truth.json has no rsa_user: lab/fleetlab.py is older than this test")
    let hosts = lab.hosts.filter { user.hosts.contains($0.name) }
    try #require(!hosts.isEmpty, "no lab host lets \(user.name) in")
    return (user, hosts, lab.rootPath + "/" + user.identity)
  }

  static func scanner(_ lab: LabFleet, identities: [SSHIdentity], agentSocket: String?) throws -> FleetScanner {
    FleetScanner(
      knownHosts: try KnownHostsStore(path: lab.knownHostsPath), checking: .strict, identities: [:], defaultIdentities: identities,
      agentSocket: agentSocket, method: .auto, parallel: 8,
      deadlines: SSHDeadlines(connect: .seconds(10), handshakeAndAuth: .seconds(20), command: .seconds(20)))
  }

  /// Each host's result (found by its address) has a snapshot as `user` whose listeners are the truth's.
  static func expectTruth(_ results: [HostResult], _ hosts: [LabHost], user: String, via: String) throws {
    #expect(results.count == hosts.count, "via \(via)")
    for host in hosts {
      let result = try #require(results.first { $0.address == host.ipv4 }, "\(host.name) via \(via): no result")
      let snapshot = try #require(result.snapshot, "\(host.name) as \(user) via \(via): \(result.failure?.message ?? "no snapshot")")
      #expect(result.user == user)
      #expect(Set(LabScan.listeners(snapshot, of: host).keys) == host.listenerKeys, "\(host.name) as \(user) via \(via)")
      #expect(!snapshot.provenance.isRoot)
    }
  }

  @Test func theRSAUsersHostsScanWithTheKeyFile() async throws {
    let lab = try LabFleet.forTests()
    let (user, hosts, keyPath) = try Self.rsaUser(lab)
    #expect(try String(contentsOfFile: keyPath + ".pub", encoding: .utf8).hasPrefix("ssh-rsa "))
    let identity = SSHIdentity(path: keyPath, privateKey: Array(try Data(contentsOf: URL(fileURLWithPath: keyPath))))
    let (results, _) = try await Self.scanner(lab, identities: [identity], agentSocket: nil).scan(
      hosts.map { LabScan.target($0, user: user.name) })
    try Self.expectTruth(results, hosts, user: user.name, via: "key file")
    // A host that does not let the user in refuses it: the RSA key is what logs in, nothing else.
    if let other = lab.hosts.first(where: { !user.hosts.contains($0.name) }) {
      let (refused, _) = try await Self.scanner(lab, identities: [identity], agentSocket: nil).scan([LabScan.target(other, user: user.name)]
      )
      #expect(refused.first?.failure?.code == .authenticationFailed, "\(other.name): \(String(describing: refused.first?.failure))")
    }
  }

  @Test func theRSAUsersHostsScanWithAnAgentHoldingOnlyThatKey() async throws {
    let lab = try LabFleet.forTests()
    let (user, hosts, keyPath) = try Self.rsaUser(lab)
    let dir = try LabScan.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let agent = try LoopbackAgent(directory: dir)
    defer { agent.stop() }
    try agent.add(keyPath)
    let held = try agent.listed()
    #expect(held.count == 1 && held[0].hasPrefix("ssh-rsa "), "\(held)")
    let (results, _) = try await Self.scanner(lab, identities: [], agentSocket: agent.socketPath).scan(
      hosts.map { LabScan.target($0, user: user.name) })
    try Self.expectTruth(results, hosts, user: user.name, via: "ssh-agent")
  }

  /// The same through the command a user runs: `fleetports scan` with `--identity` the RSA key,
  /// then with no key at all but ssh-agent (a HOME without ~/.ssh keys) holding only it.
  @Test func fleetportsScanReachesTheRSAUsersHostsWithTheKeyAndWithTheAgent() throws {
    let lab = try LabFleet.forTests()
    let (user, hosts, keyPath) = try Self.rsaUser(lab)
    let dir = try LabScan.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let inventory = hosts.map { "\(user.name)@\($0.ipv4)" }.joined(separator: "\n") + "\n"
    try inventory.write(toFile: dir + "/inventory.txt", atomically: true, encoding: .utf8)
    let agent = try LoopbackAgent(directory: dir)
    defer { agent.stop() }
    try agent.add(keyPath)
    let common = ["scan", dir + "/inventory.txt", "--known-hosts", lab.knownHostsPath, "--ssh-config", "/dev/null", "--db", dir + "/history.db"]
    let runs: [(via: String, arguments: [String], agent: String?)] = [
      ("--identity", ["--identity", keyPath, "--no-agent", "--out", dir + "/file"], nil),
      ("ssh-agent", ["--out", dir + "/agent"], agent.socketPath),
    ]
    for run in runs {
      var environment = ["PATH": "/usr/bin:/bin", "HOME": dir]
      environment["SSH_AUTH_SOCK"] = run.agent
      let ran = try ChildProcess.run([FleetPortsCLI.path] + common + run.arguments, environment: environment, timeout: .seconds(300))
      #expect(ran.status == 0, "via \(run.via): \(ran.stdoutText)\n\(ran.stderrText)")
      let json = try Data(contentsOf: URL(fileURLWithPath: run.arguments[run.arguments.count - 1] + "/scan.json"))
      let result = try JSONDecoder().decode(ScanResult.self, from: json)
      try Self.expectTruth(result.hosts, hosts, user: user.name, via: "fleetports scan \(run.via)")
    }
  }
}
