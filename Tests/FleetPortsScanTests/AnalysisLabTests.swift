import FleetPortsCore
import FleetPortsScan
import Foundation
import LabSupport
import Testing

/// The analysis on a live lab scan: every problem the lab seeds is found on exactly the hosts
/// its truth says, and nothing else is flagged.
@Suite(.labFleet) struct AnalysisLabTests {
  struct Key: Hashable, CustomStringConvertible {
    var rule: String
    var host: String
    var port: UInt16?
    var description: String { "(\(rule), \(host), \(port.map(String.init) ?? "-"))" }
  }

  static let datastores: Set<String> = ["postgres", "redis-server"]
  static let amplifierPorts: Set<Int> = [123, 53, 11211]

  /// What each host's truth implies: datastores and UDP amplifiers on a wildcard, 0666 Unix
  /// sockets, a CLOSE-WAIT leak (on the leaky service's port) and an induced overflow (on the
  /// never-accepting listener's port).
  static func expected(_ host: LabHost) -> Set<Key> {
    var keys: Set<Key> = []
    for listener in host.listeners where listener.isWildcard {
      if listener.isTCP && datastores.contains(listener.process) {
        keys.insert(Key(rule: "datastore-exposed", host: host.name, port: UInt16(listener.port)))
      }
      if listener.isUDP && amplifierPorts.contains(listener.port) {
        keys.insert(Key(rule: "udp-amplifier", host: host.name, port: UInt16(listener.port)))
      }
    }
    for unix in host.unixSockets where unix.isWorldWritable {
      keys.insert(Key(rule: "unix-socket-world-writable", host: host.name, port: nil))
    }
    if host.closeWait >= 2, let leaky = host.listeners.first(where: { $0.process == "leaky svc" }) {
      keys.insert(Key(rule: "close-wait-pileup", host: host.name, port: UInt16(leaky.port)))
    }
    if host.listenOverflow, let slow = host.listeners.first(where: { $0.process == "slow accept" }) {
      keys.insert(Key(rule: "accept-queue-overflow", host: host.name, port: UInt16(slow.port)))
    }
    for port in host.firewall?.bypass ?? [] { keys.insert(Key(rule: "firewall-bypassed-by-nat", host: host.name, port: UInt16(port))) }
    for container in host.containers ?? [] {
      for listener in container.listeners where listener.published != nil {
        keys.insert(Key(rule: "container-listener-published", host: host.name, port: UInt16(listener.port)))
        if datastores.contains(listener.process) {
          keys.insert(Key(rule: "datastore-exposed", host: host.name, port: UInt16(listener.port)))
        }
      }
    }
    for listener in host.listeners where listener.owner?.deleted == true {
      keys.insert(Key(rule: "deleted-executable", host: host.name, port: UInt16(listener.port)))
    }
    return keys
  }

  /// The same expectation from the index formulas of lab/README.md, to catch a truth file that drifted.
  static func expectedByIndex(_ host: LabHost) -> Set<Key> {
    let i = host.index
    var keys: Set<Key> = []
    func add(_ rule: String, _ port: UInt16?) { keys.insert(Key(rule: rule, host: host.name, port: port)) }
    if i % 4 == 0 { add("datastore-exposed", 5432) }
    if i % 6 == 3 { add("datastore-exposed", 6379) }
    if i % 5 == 0 { add("udp-amplifier", 11211) }
    if i % 3 == 1 { add("udp-amplifier", 123) }
    if i % 3 == 2 { add("udp-amplifier", 53) }
    if i % 4 == 0 { add("unix-socket-world-writable", nil) }
    if i % 5 == 1 { add("close-wait-pileup", 8080) }
    if i % 5 == 2 { add("accept-queue-overflow", 7000) }
    if i % 12 == 6 { add("firewall-bypassed-by-nat", 8088) }
    if i % 12 == 6 { add("container-listener-published", 80) }  // nginx; the container's redis is not published
    if i % 4 == 1 { add("deleted-executable", 9443) }
    return keys
  }

  /// The peer outliers the truth implies: in each inventory group of two or more hosts (hosts
  /// in none form one group), every (protocol, port) reachable beyond loopback that fewer than
  /// `percent` % of the group's hosts listen on, on each host that has it.
  static func expectedOutliers(_ hosts: [LabHost], percent: Int) -> Set<Key> {
    var members: [String: [LabHost]] = [:]
    for host in hosts {
      for group in host.groups.isEmpty ? [FleetAggregate.ungrouped] : host.groups { members[group, default: []].append(host) }
    }
    var keys: Set<Key> = []
    for group in members.values where group.count >= 2 {
      var holders: [String: Set<String>] = [:]
      for host in group {
        for listener in host.listeners where !listener.isLoopback { holders["\(listener.proto)/\(listener.port)", default: []].insert(host.name) }
      }
      for (slot, names) in holders where names.count * 100 < percent * group.count {
        let port = UInt16(slot.split(separator: "/")[1]) ?? 0
        for name in names { keys.insert(Key(rule: "peer-outlier", host: name, port: port)) }
      }
    }
    return keys
  }

  static func keys(_ findings: [Finding]) -> Set<Key> {
    Set(findings.map { Key(rule: $0.ruleID, host: $0.host, port: $0.socket?.port) })
  }

  @Test func everySeededProblemIsFoundOnExactlyItsHosts() async throws {
    let lab = try LabFleet.forTests()
    #expect(lab.hosts.count >= 8)
    let (results, interrupted) = try await LabScan.scanner(lab).scan(lab.hosts.map { LabScan.target($0) })
    #expect(!interrupted)
    #expect(results.allSatisfy { $0.status == .ok }, "\(results.filter { $0.status != .ok }.map { "\($0.name): \($0.failure?.message ?? "")" })")
    let analysis = ExposureAnalysis.analyze(results, policy: nil, today: PolicyDate("2025-06-01")!)
    let found = Self.keys(analysis.findings)
    let outliers = Self.expectedOutliers(lab.hosts, percent: Thresholds.builtIn.peerOutlierPercent)
    for host in lab.hosts {
      #expect(Self.expected(host) == Self.expectedByIndex(host), "\(host.name): truth and README disagree")
      let mine = found.filter { $0.host == host.name }
      #expect(mine == Self.expected(host).union(outliers.filter { $0.host == host.name }), "\(host.name): found \(mine.sorted { $0.description < $1.description }) expected \(Self.expected(host).sorted { $0.description < $1.description })")
    }
  }

  @Test func theDocumentedPolicyAllowsSuppressesAndFailsAsDescribed() async throws {
    let lab = try LabFleet.forTests()
    let policy = try PolicyLoader.parse(try AnalysisPolicyLoaderTests.documentedExample(), file: "policy.md")
    let (results, _) = try await LabScan.scanner(lab).scan(lab.hosts.map { LabScan.target($0) })
    let analysis = ExposureAnalysis.analyze(results, policy: policy, today: PolicyDate("2025-06-01")!)
    let all = Self.keys(analysis.findings)
    let expected = lab.hosts.reduce(into: Set<Key>()) { $0.formUnion(Self.expected($1)) }
      .union(Self.expectedOutliers(lab.hosts, percent: 30))  // the documented policy's peer_outlier_percent
    // db hosts' postgres is allowed: gone. Everything else stays (DNS and lab-004's socket only suppressed).
    #expect(all == expected.filter { !($0.rule == "datastore-exposed" && $0.port == 5432) })
    let suppressed = Self.keys(analysis.findings.filter { $0.suppressed != nil })
    #expect(suppressed == expected.filter { ($0.rule == "udp-amplifier" && $0.port == 53) || ($0.rule == "unix-socket-world-writable" && $0.host == "lab-004") })
    #expect(analysis.notes.allSatisfy { !$0.contains("expired") })
  }

  /// A required service stopped on a real host: `required-listener-missing` names it, and
  /// only then. The service is the test's own listener on a port no lab service uses, so the
  /// lab is left as its truth says.
  @Test func aRequiredListenerThatStopsIsReportedMissing() async throws {
    let lab = try LabFleet.forTests()
    let host = try #require(lab.host(index: 1))
    let port = 18084
    let policy = try PolicyLoader.parse(
      "hosts:\n  \(host.name):\n    require: [\"\(port)/tcp\"]\n", file: "required.yaml")
    func missing() async throws -> Set<Key> {
      let (results, _) = try await LabScan.scanner(lab).scan([LabScan.target(host)])
      let analysis = ExposureAnalysis.analyze(results, policy: policy, today: try #require(PolicyDate("2025-06-01")))
      return Self.keys(analysis.findings.filter { $0.ruleID == "required-listener-missing" })
    }
    let service = try HistoryLabTests.Listener(lab: lab, host: host, address: "0.0.0.0", port: port)
    defer { service.stop() }
    #expect(try await missing().isEmpty, "running: nothing is missing")
    service.stop()
    let found = try await missing()
    #expect(found.map(\.rule) == ["required-listener-missing"] && found.map(\.host) == [host.name], "\(found)")
  }

  /// Who is connected, on the live lab: each host's own SSH session (from the controller on
  /// the lab bridge) and, where the truth keeps them, the web worker's two loopback connections
  /// to :80 (`established` in truth.json).
  @Test func theConnectionsTableShowsTheLabsEstablishedConnections() async throws {
    let lab = try LabFleet.forTests()
    let (results, _) = try await LabScan.scanner(lab).scan(lab.hosts.map { LabScan.target($0) })
    for host in lab.hosts {
      let result = try #require(results.first { $0.name == host.name })
      let snapshot = try #require(result.snapshot, "\(host.name): \(result.failure?.message ?? "")")
      let connections = ConnectionAggregation.connections(listeners: Listener.all(in: snapshot), snapshot: snapshot)
      let ssh = try #require(connections.first { $0.port == 22 }, "\(host.name): the scan's own SSH session")
      #expect(ssh.remotePeers >= 1 && ssh.networks.contains { $0.name.hasPrefix("10.200.") && $0.name.hasSuffix("/24") }, "\(host.name): \(ssh)")
      let web = connections.first { $0.port == 80 }
      if host.established > 0 {
        #expect(web?.established == host.established, "\(host.name): \(String(describing: web))")
        #expect(web?.networks.map(\.name) == [ConnectionAggregation.loopback], "\(host.name): \(String(describing: web))")
      } else {
        #expect(web == nil, "\(host.name): \(String(describing: web))")
      }
    }
  }

  @Test func failOnSetsExitCodeOneAndTheSummaryListsFindings() throws {
    let lab = try LabFleet.forTests()
    let dir = try LabScan.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let inventory = lab.hosts.prefix(4).map { "root@\($0.ipv4)" }.joined(separator: "\n") + "\n"
    try inventory.write(toFile: dir + "/inventory.txt", atomically: true, encoding: .utf8)
    func scan(_ extra: [String], out: String) throws -> (Int32, String) {
      let result = try FleetPortsCLI.run([
        "scan", dir + "/inventory.txt", "--db", dir + "/history.db", "--known-hosts", lab.knownHostsPath, "--identity", lab.identityPath, "--no-agent",
        "--out", dir + "/" + out,
      ] + extra)
      return (result.status, result.stdout)
    }
    let (failing, text) = try scan(["--fail-on", "high"], out: "high")
    #expect(failing == 1, "\(text)")  // hosts 1-4 include redis (3) and postgres (4) on 0.0.0.0
    #expect(text.contains("datastore-exposed") && text.contains("--fail-on high:"))
    let (passing, _) = try scan(["--fail-on", "critical"], out: "critical")
    #expect(passing == 0)
    try "hosts:\n  x:\n    alow: {}\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
    let (refused, _) = try scan(["--policy", dir + "/bad.yaml"], out: "refused")
    #expect(refused == 2)
    #expect(!FileManager.default.fileExists(atPath: dir + "/refused"), "an invalid policy is refused before anything is scanned or written")
    let json = try Data(contentsOf: URL(fileURLWithPath: dir + "/high/scan.json"))
    let result = try JSONDecoder().decode(ScanResult.self, from: json)
    #expect(result.aggregate?.hosts.count == 4 && !result.findings.isEmpty)
  }
}
