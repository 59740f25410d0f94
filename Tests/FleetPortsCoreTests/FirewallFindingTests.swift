import Foundation
import Testing

@testable import FleetPortsCore

/// Findings follow the effective exposure: a blocked datastore is a low "bound wide,
/// firewalled" note, a restricted one is judged by its accepted sources, a port published past
/// the INPUT deny is `firewall-bypassed-by-nat`, an empty ruleset with public listeners is `no-firewall`.
@Suite struct FirewallFindingTests {
  static func host(_ section: ProbeSectionName, _ file: String, sockets: [SocketRecord]) throws -> HostResult {
    let output = ProbeOutput(sections: [FirewallExposureTests.section(section, try FixtureFiles.bytes("firewall/\(file)"))])
    let firewall = FirewallSnapshot.assemble(output, isRoot: true)
    var host = HostResult(name: "h", address: "10.99.0.2", port: 22, user: "root", groups: [], status: .ok)
    host.snapshot = try FirewallExposureTests.snapshot(firewall, sockets: sockets)
    return host
  }

  static func findings(_ host: HostResult) -> [Finding] {
    ExposureAnalysis.analyze([host], policy: nil, today: AnalysisFixtures.today).findings
  }

  @Test func aDatastoreThePolicyDropBlocksIsLowAndNamesTheRule() throws {
    let host = try Self.host(.firewallNft, "policy-drop.nft.json", sockets: [FirewallExposureTests.listener(6379, process: "redis-server")])
    let finding = try #require(Self.findings(host).first { $0.ruleID == "datastore-exposed" })
    #expect(finding.severity == .low)
    #expect(finding.title == "Datastore bound wide, firewalled")
    #expect(finding.evidence.contains("bound wide, firewalled"))
    #expect(finding.evidence.contains("inet filter input policy: policy drop"))
  }

  @Test func aDatastoreRestrictedToAPrivateRangeIsHighNotCritical() throws {
    // 198.51.100.2 makes the bind public; the rules accept 5432 from 10.0.0.0/8 only.
    let host = try Self.host(.firewallNft, "policy-drop.nft.json", sockets: [FirewallExposureTests.listener(5432, process: "postgres")])
    let finding = try #require(Self.findings(host).first { $0.ruleID == "datastore-exposed" })
    #expect(finding.severity == .high)
    #expect(finding.evidence.contains("restricted to 10.0.0.0/8"))
  }

  @Test func withoutFirewallDataTheDatastoreStaysCritical() throws {
    var host = HostResult(name: "h", address: "10.99.0.2", port: 22, user: "root", groups: [], status: .ok)
    host.snapshot = try FirewallExposureTests.snapshot(
      FirewallSnapshot(status: .notRoot, reason: "firewall unknown: not root"), sockets: [FirewallExposureTests.listener(6379, process: "redis-server")])
    let finding = try #require(Self.findings(host).first { $0.ruleID == "datastore-exposed" })
    #expect(finding.severity == .critical)
  }

  @Test func aPortPublishedPastTheInputDenyIsHighAndNamesBothRules() throws {
    let host = try Self.host(
      .firewallIptablesLegacy, "docker-like.iptables-legacy-save",
      sockets: [FirewallExposureTests.listener(8080, process: "docker-proxy"), FirewallExposureTests.listener(22, process: "sshd")])
    let bypass = Self.findings(host).filter { $0.ruleID == "firewall-bypassed-by-nat" }
    #expect(bypass.count == 1)
    #expect(bypass.first?.severity == .high)
    #expect(bypass.first?.socket?.port == 8080)
    #expect(bypass.first?.evidence.contains("172.17.0.2:80") == true)
    #expect(bypass.first?.evidence.contains("-j DNAT") == true)
    #expect(!Self.findings(host).contains { $0.ruleID == "no-firewall" })
  }

  @Test func anEmptyRulesetWithAPublicListenerIsNoFirewallInfo() throws {
    let host = try Self.host(.firewallNft, "debian-default.nft.json", sockets: [FirewallExposureTests.listener(22, process: "sshd")])
    let found = Self.findings(host).filter { $0.ruleID == "no-firewall" }
    #expect(found.count == 1 && found.first?.severity == .info)
    let quiet = try Self.host(
      .firewallNft, "debian-default.nft.json", sockets: [FirewallExposureTests.listener(22, bind: .ipv4(IPv4Address(10, 99, 0, 2)), process: "sshd")])
    #expect(!Self.findings(quiet).contains { $0.ruleID == "no-firewall" }, "no public listener")
  }

  @Test func theAggregateCountsListenersByExposure() throws {
    let host = try Self.host(
      .firewallNft, "policy-drop.nft.json",
      sockets: [FirewallExposureTests.listener(22), FirewallExposureTests.listener(5432), FirewallExposureTests.listener(6379)])
    let aggregate = ExposureAnalysis.analyze([host], policy: nil, today: AnalysisFixtures.today).aggregate
    #expect(aggregate.exposure == ["open": 1, "restricted": 1, "blocked": 1])
    #expect(aggregate.ports.first { $0.port == 6379 }?.exposures?["h"] == .blocked)
  }

  @Test func sourceReachIsTheWidestOfTheAcceptedPrefixes() {
    #expect(SourceReach.reach(["10.0.0.0/8"]) == .privateNetwork)
    #expect(SourceReach.reach(["10.0.0.0/8", "203.0.113.0/24"]) == .public)
    #expect(SourceReach.reach(["169.254.0.0/16"]) == .linkLocal)
    #expect(SourceReach.reach(["interface eth1"]) == .privateNetwork)
  }

  /// The same binds behind a firewall that changed: `exposure-changed`, naming the rules;
  /// a scan that merely gained root (unknown → blocked) is no change.
  @Test func aFirewallChangeWithTheSameBindsIsExposureChanged() throws {
    func scan(_ host: HostResult) -> ScanResult {
      let options = ScanOptions(inventory: "i", method: .auto, sudo: false, parallel: 1, timeoutSeconds: 1, hostKeyChecking: "strict")
      return ScanResult(toolVersion: "t", startedAt: "s", finishedAt: "f", interrupted: false, options: options, hosts: [host])
        .analyzed(policy: nil, today: AnalysisFixtures.today)
    }
    let sockets = [FirewallExposureTests.listener(6379, process: "redis-server"), FirewallExposureTests.listener(22, process: "sshd")]
    let closed = scan(try Self.host(.firewallNft, "policy-drop.nft.json", sockets: sockets))
    let open = scan(try Self.host(.firewallNft, "debian-default.nft.json", sockets: sockets))
    let changes = ScanDiff.changes(from: closed, to: open, oldLabel: "1", newLabel: "2").listeners
    #expect(changes.map(\.kind) == [.exposureChanged])
    #expect(changes.first?.port == 6379)
    #expect(changes.first?.before.first?.exposure == .blocked && changes.first?.after.first?.exposure == .open)
    var unknown = try Self.host(.firewallNft, "policy-drop.nft.json", sockets: sockets)
    unknown.snapshot?.firewall = FirewallSnapshot(status: .notRoot, reason: "not root")
    #expect(ScanDiff.changes(from: scan(unknown), to: closed, oldLabel: "1", newLabel: "2").listeners.isEmpty)
  }

  /// `--verify-reach` connects only to TCP listeners judged open or blocked, at most `perHost`
  /// per host, at the listener's address or the host's literal address; a disagreement is noted.
  @Test func reachChecksTargetOpenAndBlockedTCPListenersWithinTheBound() throws {
    let sockets = [
      FirewallExposureTests.listener(22), FirewallExposureTests.listener(5432), FirewallExposureTests.listener(6379),
      FirewallExposureTests.listener(6379, bind: .ipv4(IPv4Address(127, 0, 0, 1))),
      FirewallExposureTests.listener(9100, bind: .ipv4(IPv4Address(10, 99, 0, 2))),
    ]
    let options = ScanOptions(inventory: "i", method: .auto, sudo: false, parallel: 1, timeoutSeconds: 1, hostKeyChecking: "strict")
    var named = try Self.host(.firewallNft, "policy-drop.nft.json", sockets: sockets)
    named.name = "named"
    named.address = "db.example"
    let scan = ScanResult(
      toolVersion: "t", startedAt: "s", finishedAt: "f", interrupted: false, options: options,
      hosts: [try Self.host(.firewallNft, "policy-drop.nft.json", sockets: sockets), named]
    ).analyzed(policy: nil, today: AnalysisFixtures.today)
    let targets = ReachCheckPlan.targets(scan)
    // 22 open and 6379 blocked on 0.0.0.0 (the host's address); 5432 is restricted, 9100 dropped on its own address; loopback never.
    let first = targets.filter { $0.host == 0 }
    #expect(Set(first.map { "\($0.address):\($0.port)" }) == ["10.99.0.2:22", "10.99.0.2:6379", "10.99.0.2:9100"])
    // A host named, not addressed: only its listeners bound to an address of their own.
    #expect(targets.filter { $0.host == 1 }.map(\.port) == [9100])
    #expect(ReachCheckPlan.targets(scan, perHost: 1).count == 2)
    let recorded = ReachCheckPlan.record(first.map { ($0, true) }, in: scan)
    let checks = (recorded.hosts[0].listeners ?? []).compactMap(\.reachCheck)
    #expect(checks.count == 3)
    #expect(checks.filter(\.agrees).map(\.port) == [22])
    #expect(recorded.analysisNotes.last?.contains("1 agree") == true)
    #expect(recorded.analysisNotes.last?.contains("judged blocked but a connect to 10.99.0.2:6379 succeeded") == true)
  }
}
