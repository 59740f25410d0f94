import FleetPortsCore
import Foundation
import Testing

/// Every rule on real snapshots: a lab scan and a scratch-namespace capture.
@Suite struct AnalysisRuleTests {
  /// Per lab host, what its truth implies (lab/README.md): exposed postgres i%4==0, redis
  /// i%6==3, memcached i%5==0, ntp i%3==1, dns i%3==2, 0666 socket i%4==0, CLOSE-WAIT leak
  /// i%5==1 (port 8080), overflow i%5==2 (port 7000).
  static func expectedLab(_ indices: ClosedRange<Int>) -> Set<FindingKey> {
    var keys: Set<FindingKey> = []
    for i in indices {
      let host = String(format: "lab-%03d", i)
      if i % 4 == 0 { keys.insert(FindingKey("datastore-exposed", host, 5432)) }
      if i % 6 == 3 { keys.insert(FindingKey("datastore-exposed", host, 6379)) }
      if i % 5 == 0 { keys.insert(FindingKey("udp-amplifier", host, 11211)) }
      if i % 3 == 1 { keys.insert(FindingKey("udp-amplifier", host, 123)) }
      if i % 3 == 2 { keys.insert(FindingKey("udp-amplifier", host, 53)) }
      if i % 4 == 0 { keys.insert(FindingKey("unix-socket-world-writable", host, nil)) }
      if i % 5 == 1 { keys.insert(FindingKey("close-wait-pileup", host, 8080)) }
      if i % 5 == 2 { keys.insert(FindingKey("accept-queue-overflow", host, 7000)) }
    }
    return keys
  }

  @Test func theLabScanYieldsExactlyWhatTheLabSeeds() throws {
    let result = ExposureAnalysis.analyze(try AnalysisFixtures.lab().hosts, policy: nil, today: AnalysisFixtures.today)
    #expect(result.findings.keys == Self.expectedLab(1...8))
    #expect(result.findings.allSatisfy { $0.suppressed == nil && !$0.evidence.isEmpty && !$0.fix.isEmpty })
  }

  @Test func postgresOnLoopbackIsNotExposedAndExposedOnesSayWhy() throws {
    let findings = ExposureAnalysis.analyze(try AnalysisFixtures.lab().hosts, policy: nil, today: AnalysisFixtures.today).findings
    #expect(!findings.contains { $0.host == "lab-002" && $0.ruleID == "datastore-exposed" })
    let exposed = try #require(findings.first { $0.host == "lab-004" && $0.ruleID == "datastore-exposed" })
    #expect(exposed.severity == .high)
    #expect(exposed.socket?.reach == .privateNetwork)
    #expect(exposed.socket?.processes == ["postgres"])
    #expect(exposed.evidence.contains("0.0.0.0:5432") && exposed.evidence.contains("10.200.0.14 on eth0"))
  }

  @Test func acceptQueueEvidenceSaysWhichQueueFiguresWereUsed() throws {
    let findings = ExposureAnalysis.analyze(try AnalysisFixtures.lab().hosts, policy: nil, today: AnalysisFixtures.today).findings
    let viaSS = try #require(findings.first { $0.host == "lab-002" && $0.ruleID == "accept-queue-overflow" })
    #expect(viaSS.evidence.contains("of backlog 1 (backlog from ss Send-Q)"))
    #expect(viaSS.evidence.contains("ListenOverflows"))
    let viaNetstat = try #require(findings.first { $0.host == "lab-007" && $0.ruleID == "accept-queue-overflow" })
    #expect(viaNetstat.evidence.contains("backlog unknown"))
  }

  @Test func aFailedHostNeverProducesFindings() throws {
    var hosts = try AnalysisFixtures.lab().hosts
    hosts[0].status = .failed
    hosts[0].failure = HostResult.Failure(code: .timeout(phase: "command"), message: "probe timed out")
    let findings = ExposureAnalysis.analyze(hosts, policy: nil, today: AnalysisFixtures.today).findings
    #expect(!findings.contains { $0.host == hosts[0].name })
    #expect(findings.keys == Self.expectedLab(1...8).filter { $0.host != hosts[0].name })
  }

  /// The namespace capture: public address 192.0.2.10, redis on it, nginx on 5432, smtpd as
  /// nobody on 25, a 0666 docker.sock, an abstract socket, an owner outside the PID namespace.
  @Test func theNamespaceCaptureShowsTheRulesTheLabCannot() throws {
    let result = ExposureAnalysis.analyze(try AnalysisFixtures.netns().hosts, policy: nil, today: AnalysisFixtures.today)
    let host = "fpana-host"
    #expect(
      result.findings.keys == [
        FindingKey("datastore-exposed", host, 6379), FindingKey("unix-socket-world-writable", host, nil),
        FindingKey("privileged-port-non-root", host, 25), FindingKey("unknown-owner", host, 9999),
        FindingKey("unix-socket-abstract", host, nil),
      ])
    #expect(result.findings.first { $0.ruleID == "datastore-exposed" }?.severity == .critical)
    #expect(result.findings.first { $0.ruleID == "unix-socket-world-writable" }?.severity == .critical)
    #expect(result.findings.first { $0.ruleID == "unix-socket-abstract" }?.severity == .info)
    #expect(result.findings.first { $0.ruleID == "unix-socket-abstract" }?.socket?.address == "@fpana-agent")
    #expect(result.notes.contains { $0.contains("no policy given") })
  }

  @Test func timeWaitVolumeFollowsItsThreshold() throws {
    let hosts = try AnalysisFixtures.netns().hosts
    let none = ExposureAnalysis.analyze(hosts, policy: nil, today: AnalysisFixtures.today)
    #expect(!none.findings.contains { $0.ruleID == "time-wait-volume" })
    let policy = Policy(defaults: PolicyRules(thresholds: PolicyThresholds(timeWait: 50)))
    let some = ExposureAnalysis.analyze(hosts, policy: policy, today: AnalysisFixtures.today)
    let finding = try #require(some.findings.first { $0.ruleID == "time-wait-volume" })
    #expect(finding.severity == .info)
    #expect(finding.evidence.hasPrefix("60 TCP sockets in TIME-WAIT"))
  }

  @Test func closeWaitThresholdIsConfigurable() throws {
    let hosts = try AnalysisFixtures.lab().hosts
    // lab-001 holds 3, lab-006 holds 2.
    let policy = Policy(defaults: PolicyRules(thresholds: PolicyThresholds(closeWait: 3)))
    let findings = ExposureAnalysis.analyze(hosts, policy: policy, today: AnalysisFixtures.today).findings
    #expect(findings.filter { $0.ruleID == "close-wait-pileup" }.map(\.host) == ["lab-001"])
  }

  @Test func countersWithoutAQueueGiveOneLowHostFinding() throws {
    var hosts = try AnalysisFixtures.lab().hosts
    let index = try #require(hosts.firstIndex { $0.name == "lab-002" })
    var snapshot = try #require(hosts[index].snapshot)
    for i in snapshot.sockets.indices where snapshot.sockets[i].state == .listen { snapshot.sockets[i].receiveQueue = 0 }
    hosts[index].snapshot = snapshot
    let findings = ExposureAnalysis.analyze([hosts[index]], policy: nil, today: AnalysisFixtures.today).findings
    let overflow = try #require(findings.first { $0.ruleID == "accept-queue-overflow" })
    #expect(overflow.socket == nil && overflow.severity == .low)
    #expect(overflow.evidence.contains("overflows happened earlier"))
  }
}
