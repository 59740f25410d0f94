import FleetPortsCore
import FleetPortsScan
import Foundation
import Testing

/// Policy files: the documented example, and every refusal with its line and column.
@Suite struct AnalysisPolicyLoaderTests {
  static var repositoryRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  /// The first ```yaml block of docs/policy.md.
  static func documentedExample() throws -> String {
    let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/policy.md"), encoding: .utf8)
    let start = try #require(text.range(of: "```yaml\n"))
    let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
    return String(text[start.upperBound..<end.lowerBound])
  }

  @Test func theDocumentedExampleLoads() throws {
    let policy = try PolicyLoader.parse(try Self.documentedExample(), file: "policy.md")
    #expect(policy.defaults.allowPublic == [PortAllowance("80")!, PortAllowance("443")!])
    #expect(policy.defaults.allowPrivate == [PortAllowance("22/tcp")!])
    #expect(policy.defaults.thresholds == PolicyThresholds(closeWait: 2, timeWait: 1000, queuePercent: 80, peerOutlierPercent: 30))
    #expect(policy.groups["db"]?.allowPrivate == [PortAllowance(ports: 5432...5432, proto: .tcp)])
    #expect(policy.hosts["lab-003"]?.thresholds.closeWait == 5)
    #expect(policy.suppressions.count == 2)
    #expect(policy.suppressions[0].expires == PolicyDate("2030-12-31"))
    #expect(policy.suppressions[0].host == "lab-*" && policy.suppressions[0].port == 53)
    #expect(policy.suppressions[1].expires == nil)
    #expect(policy.suppressions[1].location == "policy.md:29:5")
    #expect(policy.defaults.require == [RequiredListener(port: 22, proto: .tcp, service: "ssh")])
    #expect(policy.groups["db"]?.require == [RequiredListener(port: 5432, proto: .tcp, service: "postgres")])
    #expect(policy.defaults.require.first?.location == "policy.md:11:7")
  }

  static func refusal(_ yaml: String) -> PolicyError? {
    do {
      _ = try PolicyLoader.parse(yaml, file: "p.yaml")
      return nil
    } catch {
      return error
    }
  }

  @Test func anUnknownKeyIsRefusedWithItsPlace() throws {
    let error = try #require(Self.refusal("hosts:\n  web-1:\n    alow:\n      public: [80]\n"))
    #expect(error.line == 3 && error.column == 5)
    #expect(error.description.hasPrefix("p.yaml:3:5: unknown key \"alow\" in hosts.web-1 (expected: allow, thresholds, require)"))
  }

  @Test func badYAMLIsRefusedWithItsPlace() throws {
    let error = try #require(Self.refusal("defaults:\n  allow: [80\n  thresholds: {}\n"))
    #expect(error.line != nil && error.column != nil)
    #expect(error.message.hasPrefix("invalid YAML"))
    let tabs = try #require(Self.refusal("defaults:\n\tallow: {}\n"))
    #expect(tabs.line == 2)
  }

  @Test func wrongTypesAreRefused() throws {
    let notList = try #require(Self.refusal("defaults:\n  allow:\n    public: 80\n"))
    #expect(notList.line == 3 && notList.column == 13 && notList.message.contains("must be a list of ports"))
    let badPort = try #require(Self.refusal("defaults:\n  allow:\n    private: [\"22\", \"5432/sctp\"]\n"))
    #expect(badPort.line == 3 && badPort.column == 21)
    let badThreshold = try #require(Self.refusal("defaults:\n  thresholds:\n    queue_percent: 180\n"))
    #expect(badThreshold.message.contains("from 1 to 100"))
    let notMapping = try #require(Self.refusal("- a\n- b\n"))
    #expect(notMapping.line == 1 && notMapping.message.contains("must be a mapping"))
  }

  @Test func aSuppressionNeedsAKnownRuleAReasonAndAnExpiry() throws {
    let noReason = try #require(Self.refusal("suppressions:\n  - rule: datastore-exposed\n    expires: 2030-01-01\n"))
    #expect(noReason.line == 2 && noReason.column == 5 && noReason.message.contains("no reason"))
    let emptyReason = try #require(Self.refusal("suppressions:\n  - rule: datastore-exposed\n    reason: \"  \"\n    expires: never\n"))
    #expect(emptyReason.line == 3 && emptyReason.message.contains("is empty"))
    let noExpiry = try #require(Self.refusal("suppressions:\n  - rule: datastore-exposed\n    reason: ok\n"))
    #expect(noExpiry.message.contains("no expires"))
    let badDate = try #require(Self.refusal("suppressions:\n  - rule: datastore-exposed\n    reason: ok\n    expires: 2030-02-30\n"))
    #expect(badDate.line == 4 && badDate.column == 14)
    let unknownRule = try #require(Self.refusal("suppressions:\n  - rule: datastore-exposd\n    reason: ok\n    expires: never\n"))
    #expect(unknownRule.line == 2 && unknownRule.column == 11 && unknownRule.message.contains("unknown rule"))
  }

  @Test func duplicateKeysAndEmptyFilesAreHandled() throws {
    let duplicate = try #require(Self.refusal("hosts: {}\nhosts: {}\n"))
    #expect(duplicate.line == 2 && duplicate.message.contains("appears twice"))
    #expect(try PolicyLoader.parse("", file: "p.yaml") == Policy())
    #expect(try PolicyLoader.parse("hosts:\nsuppressions:\n", file: "p.yaml") == Policy())
  }

  @Test func anUnreadableFileIsRefusedWithItsPath() {
    #expect(throws: PolicyError.self) { try PolicyLoader.load(path: "/no/such/policy.yaml") }
  }
}

/// `require:` entries: both spellings, layering, and each refusal with its place.
@Suite struct RequiredListenerPolicyTests {
  static func refusal(_ yaml: String) -> PolicyError? { AnalysisPolicyLoaderTests.refusal(yaml) }

  @Test func bothSpellingsLoadAndAddUpOverTheLevels() throws {
    let yaml = """
      defaults:
        require: ["22/tcp"]
      groups:
        monitored:
          require:
            - {port: "9100/tcp", service: node_exporter}
            - 161/udp
      hosts:
        db-1:
          require: [{port: 5432, service: postgres}, "22/tcp"]
      """
    let policy = try PolicyLoader.parse(yaml, file: "p.yaml")
    #expect(policy.defaults.require == [RequiredListener(port: 22, proto: .tcp)])
    #expect(
      policy.groups["monitored"]?.require == [
        RequiredListener(port: 9100, proto: .tcp, service: "node_exporter"), RequiredListener(port: 161, proto: .udp),
      ])
    #expect(policy.groups["monitored"]?.require.first?.location == "p.yaml:6:9")
    let effective = policy.effective(host: "db-1", groups: ["monitored"])
    #expect(effective.required.map(\.description) == ["22/tcp", "node_exporter on 9100/tcp", "161/udp", "postgres on 5432"])
  }

  @Test func badEntriesAreRefusedWithTheirPlace() throws {
    let range = try #require(Self.refusal("defaults:\n  require: [\"8000-8099/tcp\"]\n"))
    #expect(range.description.hasPrefix("p.yaml:2:13: defaults.require[1]: \"8000-8099/tcp\" is not one port"))
    let proto = try #require(Self.refusal("groups:\n  db:\n    require:\n      - {port: \"5432/sctp\"}\n"))
    #expect(proto.line == 4 && proto.column == 16 && proto.message.contains("is not one port"))
    let noPort = try #require(Self.refusal("defaults:\n  require:\n    - {service: sshd}\n"))
    #expect(noPort.line == 3 && noPort.column == 7 && noPort.message.contains("has no port"))
    let unknown = try #require(Self.refusal("defaults:\n  require:\n    - {port: 22, proces: sshd}\n"))
    #expect(unknown.line == 3 && unknown.message.contains("unknown key \"proces\"") && unknown.message.contains("expected: port, service"))
    let notList = try #require(Self.refusal("defaults:\n  require: 22\n"))
    #expect(notList.line == 2 && notList.column == 12 && notList.message.contains("must be a list"))
    let emptyService = try #require(Self.refusal("defaults:\n  require: [{port: 22, service: \"\"}]\n"))
    #expect(emptyService.message.contains("service is empty"))
  }

  @Test func suppressionsMayNameTheNewRules() throws {
    let yaml = """
      suppressions:
        - {rule: peer-outlier, host: lab-003, port: 6379, reason: "cache for the web tier", expires: never}
        - {rule: required-listener-missing, host: lab-009, reason: "decommissioned", expires: 2030-01-01}
      """
    #expect(try PolicyLoader.parse(yaml, file: "p.yaml").suppressions.count == 2)
  }
}
