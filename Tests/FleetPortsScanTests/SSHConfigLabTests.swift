import FleetPortsCore
import FleetPortsSSH
import FleetPortsScan
import Foundation
import LabSupport
import Testing

/// Lab hosts scanned by their ssh_config aliases (`fl-NNN`) the way a user's own ssh setup
/// reaches them: fleetports' default files (a scratch home's ~/.ssh/config including the lab's
/// ssh_config, whose Include glob and Match block set HostName, User, IdentityFile and a
/// UserKnownHostsFile in a non-default place), and no --known-hosts or --identity.
@Suite(.labFleet) struct SSHConfigLabTests {
  /// A home whose ~/.ssh/config includes the lab's, and an inventory of the aliases.
  static func setUp(_ lab: LabFleet, extraConfig: String = "") throws -> (home: String, inventory: String) {
    let home = try LabScan.scratch()
    try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
    try (extraConfig + "Include \(lab.sshConfigPath)\n").write(toFile: home + "/.ssh/config", atomically: true, encoding: .utf8)
    let inventory = home + "/fleet.txt"
    try lab.hosts.map { String(format: "fl-%03d", $0.index) }.joined(separator: "\n").write(toFile: inventory, atomically: true, encoding: .utf8)
    return (home, inventory)
  }

  static func plan(home: String, inventory: String) throws -> (FleetScanner, [ScanTarget]) {
    let plan = try ScanInputs.load(ScanRequest(inventory: inventory, timeoutSeconds: 20, noAgent: true), home: home, environment: ["USER": "root"])
    guard case .fleet(let scanner, let targets, let refused) = plan.source else { throw ScanInputError("not a fleet plan") }
    #expect(refused.isEmpty, "\(refused.map { $0.failure?.message ?? "" })")
    return (scanner, targets)
  }

  @Test func hostsReachedByAliasThroughIncludeAndMatchHaveEveryListener() async throws {
    let lab = try LabFleet.forTests()
    let (home, inventory) = try Self.setUp(lab)
    defer { try? FileManager.default.removeItem(atPath: home) }
    let (scanner, targets) = try Self.plan(home: home, inventory: inventory)
    #expect(targets.map(\.address) == lab.hosts.map(\.ipv4))
    #expect(targets.allSatisfy { $0.user == "root" && $0.connection.knownHosts?.user == [lab.runPath + "/known_hosts.d/lab"] })
    let (results, interrupted) = await scanner.scan(targets)
    #expect(!interrupted)
    for (host, result) in zip(lab.hosts, results) {
      let snapshot = try #require(result.snapshot, "\(result.name): \(result.failure?.message ?? "no snapshot")")
      #expect(Set(LabScan.listeners(snapshot, of: host).keys) == host.listenerKeys, "\(result.name)")
    }
  }

  @Test func aWrongUserKnownHostsFileLeavesEveryKeyUnknown() async throws {
    let lab = try LabFleet.forTests()
    // First value wins: this line comes before the lab's Match block.
    let (home, inventory) = try Self.setUp(lab, extraConfig: "Host fl-*\n  UserKnownHostsFile ~/.ssh/elsewhere\n")
    defer { try? FileManager.default.removeItem(atPath: home) }
    let (scanner, targets) = try Self.plan(home: home, inventory: inventory)
    #expect(targets.allSatisfy { $0.connection.knownHosts?.user == [home + "/.ssh/elsewhere"] })
    let (results, _) = await scanner.scan(targets)
    for result in results {
      #expect(result.failure?.code == .hostKeyUnknown, "\(result.name): \(result.failure?.message ?? "scanned")")
    }
    #expect(!FileManager.default.fileExists(atPath: home + "/.ssh/elsewhere"))
  }

  /// An Ansible user's setup, through the command: a YAML inventory of the aliases in
  /// groups, the lab's ssh_config by --ssh-config, no --known-hosts and no --identity.
  @Test func theCommandScansAYAMLInventoryByAliasThroughSSHConfig() throws {
    let lab = try LabFleet.forTests()
    let dir = try LabScan.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var yaml = "all:\n  children:\n"
    for group in ["web", "db"] {
      yaml += "    \(group):\n      hosts:\n"
      for host in lab.hosts where host.groups.contains(group) { yaml += String(format: "        fl-%03d:\n", host.index) }
    }
    try yaml.write(toFile: dir + "/hosts.yml", atomically: true, encoding: .utf8)
    let result = try FleetPortsCLI.run([
      "scan", dir + "/hosts.yml", "--ssh-config", lab.sshConfigPath, "--no-agent", "--timeout", "20", "--out", dir + "/report",
      "--db", dir + "/history.db",
    ])
    let scan = try JSONDecoder().decode(ScanResult.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/report/scan.json")))
    #expect(scan.hosts.count == lab.hosts.count, "\(result.stdout)\n\(result.stderr)")
    for host in lab.hosts {
      let row = try #require(scan.hosts.first { $0.name == String(format: "fl-%03d", host.index) })
      #expect(row.address == host.ipv4 && row.user == "root" && row.groups == host.groups.filter { ["web", "db"].contains($0) })
      let snapshot = try #require(row.snapshot, "\(row.name): \(row.failure?.message ?? "")")
      #expect(Set(LabScan.listeners(snapshot, of: host).keys) == host.listenerKeys, "\(row.name)")
    }
  }
}
