/// What the analysis of a scan produced.
public struct AnalysisResult: Hashable, Sendable, Codable {
  /// Every finding, suppressed ones marked, most severe first.
  public var findings: [Finding]
  /// Notes about the analysis: expired suppressions, rules not evaluated, policy names not in the scan.
  public var notes: [String]
  public var aggregate: FleetAggregate

  public init(findings: [Finding], notes: [String], aggregate: FleetAggregate) {
    self.findings = findings
    self.notes = notes
    self.aggregate = aggregate
  }
}

/// Runs every rule over the hosts that were scanned (never over a failed host), applies the
/// policy's suppressions and aggregates the fleet. Pure: "today" is handed in.
public enum ExposureAnalysis {
  public static func analyze(_ hosts: [HostResult], policy: Policy?, today: PolicyDate) -> AnalysisResult {
    let contexts: [HostContext] = hosts.compactMap { host in
      guard host.status == .ok, let snapshot = host.snapshot else { return nil }
      let effective = (policy ?? Policy()).effective(host: host.name, groups: host.groups)
      return HostContext(name: host.name, groups: host.groups, snapshot: snapshot, policy: effective, hasPolicy: policy != nil)
    }
    var findings: [Finding] = []
    for context in contexts {
      for rule in RuleCatalog.entries { findings += rule.evaluate(context) }
    }
    var notes: [String] = []
    if let policy {
      notes += SuppressionApplication.apply(policy.suppressions, to: &findings, today: today)
      notes += unknownNames(policy, hosts: hosts)
    } else {
      notes.append("no policy given: public-not-allowed was not evaluated and no allowances or suppressions applied")
    }
    let partial = contexts.filter { $0.snapshot.provenance.attribution != .complete }.map(\.name)
    if !partial.isEmpty {
      notes.append(
        "attribution incomplete on \(partial.count) host(s) (\(partial.prefix(10).joined(separator: ", "))\(partial.count > 10 ? ", …" : "")): "
          + "unknown-owner not evaluated there; sockets without owners were identified by port alone")
    }
    findings.sort(by: order)
    return AnalysisResult(findings: findings, notes: notes, aggregate: FleetAggregation.aggregate(contexts, policy: policy))
  }

  /// Most severe first, then host, rule, port.
  static func order(_ a: Finding, _ b: Finding) -> Bool {
    if a.severity != b.severity { return a.severity > b.severity }
    if a.host != b.host { return a.host < b.host }
    if a.ruleID != b.ruleID { return a.ruleID < b.ruleID }
    return (a.socket?.port ?? 0, a.socket?.address ?? "") < (b.socket?.port ?? 0, b.socket?.address ?? "")
  }

  /// Hosts and groups the policy names that this scan does not have: usually a typo.
  static func unknownNames(_ policy: Policy, hosts: [HostResult]) -> [String] {
    let hostNames = Set(hosts.map(\.name))
    let groupNames = Set(hosts.flatMap(\.groups))
    var notes: [String] = []
    let missingHosts = policy.hosts.keys.filter { !hostNames.contains($0) }.sorted()
    if !missingHosts.isEmpty { notes.append("policy names hosts not in this scan: \(missingHosts.joined(separator: ", "))") }
    let missingGroups = policy.groups.keys.filter { !groupNames.contains($0) }.sorted()
    if !missingGroups.isEmpty { notes.append("policy names groups not in this scan: \(missingGroups.joined(separator: ", "))") }
    return notes
  }
}

extension ScanResult {
  /// This scan with the analysis's findings, notes and aggregate filled in.
  public func analyzed(policy: Policy?, today: PolicyDate) -> ScanResult {
    let result = ExposureAnalysis.analyze(hosts, policy: policy, today: today)
    var copy = self
    copy.findings = result.findings
    copy.analysisNotes = result.notes
    copy.aggregate = result.aggregate
    return copy
  }

  /// Unsuppressed findings at or above `severity`: what `--fail-on` counts.
  public func failingFindings(atOrAbove severity: Severity) -> [Finding] {
    findings.filter { $0.suppressed == nil && $0.severity >= severity }
  }
}
