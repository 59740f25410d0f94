import FleetPortsCore
import Foundation
import Testing

/// Allowances, suppressions, expiry, --fail-on counting and the aggregate, on the fixtures.
@Suite struct AnalysisPolicyTests {
  @Test func publicListenersNotAllowedAreFlaggedOnlyWithAPolicy() throws {
    let hosts = try AnalysisFixtures.netns().hosts
    let policy = Policy(defaults: PolicyRules(allowPublic: [PortAllowance("443")!, PortAllowance("8443/tcp")!]))
    let findings = ExposureAnalysis.analyze(hosts, policy: policy, today: AnalysisFixtures.today).findings
    let flagged = Set(findings.filter { $0.ruleID == "public-not-allowed" }.compactMap { $0.socket?.port })
    #expect(flagged == [25, 5432, 6379, 9999])
  }

  @Test func anAllowanceAcceptsTheExposureAtThatReach() throws {
    let lab = try AnalysisFixtures.lab().hosts
    let policy = Policy(
      groups: ["db": PolicyRules(allowPrivate: [PortAllowance("5432/tcp")!])],
      hosts: ["lab-001": PolicyRules(allowPrivate: [PortAllowance("123/udp")!])])
    let keys = ExposureAnalysis.analyze(lab, policy: policy, today: AnalysisFixtures.today).findings.keys
    #expect(!keys.contains(FindingKey("datastore-exposed", "lab-004", 5432)))
    #expect(!keys.contains(FindingKey("udp-amplifier", "lab-001", 123)))
    #expect(keys.contains(FindingKey("udp-amplifier", "lab-004", 123)))
    #expect(keys.contains(FindingKey("datastore-exposed", "lab-003", 6379)))
    // A private allowance does not make a public exposure acceptable.
    let netns = try AnalysisFixtures.netns().hosts
    let privateOnly = Policy(defaults: PolicyRules(allowPrivate: [PortAllowance("6379")!]))
    #expect(ExposureAnalysis.analyze(netns, policy: privateOnly, today: AnalysisFixtures.today).findings.contains { $0.ruleID == "datastore-exposed" })
  }

  @Test func aSuppressionWithAReasonKeepsTheFindingButStopsItCounting() throws {
    let scan = try AnalysisFixtures.lab()
    let policy = Policy(suppressions: [
      Suppression(rule: "datastore-exposed", host: "lab-00[48]", reason: "never matches: no brackets in globs", expires: nil),
      Suppression(rule: "datastore-exposed", host: "lab-00?", port: 5432, reason: "replica set, firewalled", expires: PolicyDate("2025-06-01")),
    ])
    let analyzed = scan.analyzed(policy: policy, today: AnalysisFixtures.today)
    let postgres = analyzed.findings.filter { $0.ruleID == "datastore-exposed" && $0.socket?.port == 5432 }
    #expect(postgres.count == 2)
    #expect(postgres.allSatisfy { $0.suppressed == FindingSuppression(reason: "replica set, firewalled", expires: "2025-06-01") })
    #expect(analyzed.failingFindings(atOrAbove: .high).map(\.host) == ["lab-003"])
    #expect(analyzed.analysisNotes.allSatisfy { !$0.contains("expired") })
  }

  @Test func anExpiredSuppressionStopsApplyingAndIsReported() throws {
    let scan = try AnalysisFixtures.lab()
    let policy = Policy(suppressions: [
      Suppression(rule: "udp-amplifier", port: 53, reason: "internal resolvers", expires: PolicyDate("2025-05-31"), location: "p.yaml:3:5")
    ])
    let analyzed = scan.analyzed(policy: policy, today: AnalysisFixtures.today)
    #expect(analyzed.findings.filter { $0.ruleID == "udp-amplifier" }.allSatisfy { $0.suppressed == nil })
    let note = try #require(analyzed.analysisNotes.first { $0.contains("expired") })
    #expect(note.contains("p.yaml:3:5") && note.contains("2025-05-31") && note.contains("3 finding(s)"))
  }

  @Test func failOnCountsOnlyUnsuppressedFindingsAtOrAboveTheSeverity() throws {
    let analyzed = try AnalysisFixtures.lab().analyzed(policy: nil, today: AnalysisFixtures.today)
    #expect(analyzed.failingFindings(atOrAbove: .critical).isEmpty)
    #expect(analyzed.failingFindings(atOrAbove: .high).count == 3)
    #expect(analyzed.failingFindings(atOrAbove: .info).count == analyzed.findings.count)
  }

  @Test func thresholdsLayerHostOverGroupOverDefaults() {
    let policy = Policy(
      defaults: PolicyRules(allowPublic: [PortAllowance("80")!], thresholds: PolicyThresholds(closeWait: 10, timeWait: 500)),
      groups: ["a": PolicyRules(thresholds: PolicyThresholds(closeWait: 5)), "b": PolicyRules(thresholds: PolicyThresholds(closeWait: 4))],
      hosts: ["h": PolicyRules(allowPublic: [PortAllowance("443")!], thresholds: PolicyThresholds(timeWait: 100))])
    let effective = policy.effective(host: "h", groups: ["a", "b"])
    #expect(effective.thresholds.closeWait == 4)
    #expect(effective.thresholds.timeWait == 100)
    #expect(effective.thresholds.queuePercent == 80)
    #expect(effective.allows(.tcp, 80, reach: .public) && effective.allows(.udp, 443, reach: .privateNetwork))
    #expect(!effective.allows(.tcp, 22, reach: .public))
  }

  @Test func theAggregateMapsPortsServicesReachAndOutliers() throws {
    let analyzed = try AnalysisFixtures.lab().analyzed(policy: nil, today: AnalysisFixtures.today)
    let aggregate = try #require(analyzed.aggregate)
    let postgres = try #require(aggregate.ports.first { $0.proto == .tcp && $0.port == 5432 })
    #expect(postgres.service == "postgres")
    #expect(postgres.hosts == ["lab-002": .loopback, "lab-004": .privateNetwork, "lab-006": .loopback, "lab-008": .privateNetwork])
    #expect(aggregate.services.first { $0.service == "redis" }?.hosts == ["lab-003"])
    #expect(aggregate.reach.privateNetwork == 40 && aggregate.reach.loopback == 3 && aggregate.reach.public == 0)
    #expect(aggregate.outliers.isEmpty)  // groups of 4: one host is 25 %, not below 20 %
    let strict = Policy(groups: ["web": PolicyRules(thresholds: PolicyThresholds(peerOutlierPercent: 30))])
    let outliers = ExposureAnalysis.analyze(analyzed.hosts, policy: strict, today: AnalysisFixtures.today).aggregate.outliers
    #expect(outliers.contains { $0.group == "web" && $0.port == 6379 && $0.hosts == ["lab-003"] && $0.groupSize == 4 })
    #expect(!outliers.contains { $0.group == "db" })
  }

  @Test func scanJSONWithoutTheNewFieldsStillDecodes() throws {
    var scan = try AnalysisFixtures.lab()
    scan.hosts = []
    let encoder = JSONEncoder()
    var object = try #require(try JSONSerialization.jsonObject(with: encoder.encode(scan)) as? [String: Any])
    object.removeValue(forKey: "aggregate")
    object.removeValue(forKey: "findings")
    let decoded = try JSONDecoder().decode(ScanResult.self, from: JSONSerialization.data(withJSONObject: object))
    #expect(decoded.aggregate == nil && decoded.findings.isEmpty)
    let analyzed = try AnalysisFixtures.lab().analyzed(policy: nil, today: AnalysisFixtures.today)
    let roundTrip = try JSONDecoder().decode(ScanResult.self, from: encoder.encode(analyzed))
    #expect(roundTrip == analyzed)
  }

  @Test func datesAndPortSpecsParseStrictly() {
    #expect(PolicyDate("2024-02-29") != nil && PolicyDate("2023-02-29") == nil && PolicyDate("2024-1-01") == nil)
    #expect(PortAllowance("8000-8099/tcp")?.allows(.tcp, 8050) == true)
    #expect(PortAllowance("8000-8099/tcp")?.allows(.udp, 8050) == false)
    #expect(PortAllowance("70000") == nil && PortAllowance("80/sctp") == nil && PortAllowance("90-80") == nil)
  }
}
