import FleetPortsCore
import Foundation

/// Findings as a SARIF 2.1.0 log: one run, one result per finding, the distinct rules in
/// `tool.driver.rules`, hosts and sockets as logical locations (a fleet has no source files),
/// policy suppressions as SARIF suppressions, failed hosts and analysis notes as
/// tool-execution notifications. docs/reports.md gives the whole mapping.
enum SARIFReport {
  static func level(_ severity: Severity) -> String {
    switch severity {
    case .critical, .high: return "error"
    case .medium: return "warning"
    case .low, .info: return "note"
    }
  }

  static func render(_ facts: ReportFacts) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return [UInt8](try encoder.encode(log(facts)))
  }

  static func log(_ facts: ReportFacts) -> SARIFLog {
    let scan = facts.scan
    let ruleIndex = Dictionary(uniqueKeysWithValues: facts.rules.enumerated().map { ($1, $0) })
    let rules = facts.rules.map { id -> SARIFLog.Rule in
      // swift-format-ignore: NeverForceUnwrap
      // `facts.rules` lists the rule ids of `facts.findings`.
      let first = facts.findings.first { $0.ruleID == id }!
      let worst = facts.findings.filter { $0.ruleID == id }.map(\.severity).max() ?? first.severity
      return SARIFLog.Rule(
        id: id, name: ruleName(id), shortDescription: .init(text: first.title),
        defaultConfiguration: .init(level: level(worst)), properties: ["severity": worst.rawValue])
    }
    let results = facts.findings.map { finding -> SARIFLog.Result in
      var logical = [SARIFLog.LogicalLocation(name: finding.host, fullyQualifiedName: finding.host, kind: "module")]
      var properties = ["severity": finding.severity.rawValue, "host": finding.host, "fix": finding.fix]
      var fingerprint = "\(finding.host)|\(finding.ruleID)"
      if let socket = finding.socket {
        logical.append(.init(name: socket.text, fullyQualifiedName: "\(finding.host)/\(socket.text)", kind: "resource"))
        properties["socket"] = socket.text
        if let reach = socket.reach { properties["reach"] = reach.rawValue }
        if let exposure = socket.exposure { properties["exposure"] = exposure.rawValue }
        if let summary = socket.exposureSummary { properties["exposureRule"] = summary }
        if !socket.processes.isEmpty { properties["processes"] = socket.processes.joined(separator: ", ") }
        if let user = socket.user { properties["user"] = user }
        fingerprint += "|\(socket.text)"
      }
      let suppressions = finding.suppressed.map { suppression in
        [SARIFLog.Suppression(
          kind: "external", status: "accepted", justification: suppression.reason,
          properties: suppression.expires.map { ["expires": $0] })]
      }
      var message = "\(finding.title): \(finding.evidence)"
      if !finding.fix.isEmpty { message += " Fix: \(finding.fix)" }
      return SARIFLog.Result(
        ruleId: finding.ruleID, ruleIndex: ruleIndex[finding.ruleID] ?? 0, level: level(finding.severity),
        message: .init(text: message), locations: [.init(logicalLocations: logical)],
        partialFingerprints: ["fleetportsFinding/v1": fingerprint], suppressions: suppressions, properties: properties)
    }
    var notifications: [SARIFLog.Notification] = scan.hosts.filter { $0.status != .ok }.map { host in
      let reason = host.failure.map { "\($0.code): \($0.message)" } ?? "not scanned (the scan was interrupted)"
      return SARIFLog.Notification(
        level: host.status == .failed ? "error" : "warning", message: .init(text: "host \(host.name) (\(host.address):\(host.port)) not scanned: \(reason)"),
        locations: [.init(logicalLocations: [.init(name: host.name, fullyQualifiedName: host.name, kind: "module")])])
    }
    notifications += scan.analysisNotes.map { SARIFLog.Notification(level: "note", message: .init(text: $0), locations: nil) }
    let invocation = SARIFLog.Invocation(
      executionSuccessful: !scan.interrupted && facts.okCount > 0, startTimeUtc: scan.startedAt.isEmpty ? nil : scan.startedAt,
      endTimeUtc: scan.finishedAt.isEmpty ? nil : scan.finishedAt, toolExecutionNotifications: notifications)
    let semver = scan.toolVersion.split(separator: ".").count == 3 ? scan.toolVersion : nil
    let run = SARIFLog.Run(
      tool: .init(driver: .init(name: scan.tool, version: scan.toolVersion, semanticVersion: semver, rules: rules)),
      invocations: [invocation], results: results,
      properties: ["inventory": scan.options.inventory, "hostsScanned": String(facts.okCount), "hostsFailed": String(facts.failedCount)])
    return SARIFLog(runs: [run])
  }

  /// `datastore-exposed` → `DatastoreExposed` (SARIF's suggested PascalCase rule name).
  static func ruleName(_ id: String) -> String {
    id.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
  }
}
