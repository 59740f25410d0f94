/// What the analysis of a scan produced.
public struct AnalysisResult: Hashable, Sendable, Codable {
  /// Every finding, suppressed ones marked, most severe first.
  public var findings: [Finding]
  /// Notes about the analysis: expired suppressions, rules not evaluated, policy names not in the scan.
  public var notes: [String]
  public var aggregate: FleetAggregate
  /// Each analysed host's listeners, by the host's index in the hosts analysed (hosts not
  /// scanned have none).
  public var listeners: [Int: [Listener]]
  /// Each analysed host's UDP client sockets, by the same index.
  public var udpClients: [Int: [Listener]]

  public init(
    findings: [Finding], notes: [String], aggregate: FleetAggregate, listeners: [Int: [Listener]], udpClients: [Int: [Listener]] = [:]
  ) {
    self.findings = findings
    self.notes = notes
    self.aggregate = aggregate
    self.listeners = listeners
    self.udpClients = udpClients
  }
}

/// Runs every rule over the hosts that were scanned (never over a failed host), applies the
/// policy's suppressions and aggregates the fleet. Pure: "today" is handed in.
public enum ExposureAnalysis {
  public static func analyze(_ hosts: [HostResult], policy: Policy?, today: PolicyDate) -> AnalysisResult {
    var contexts: [HostContext] = []
    var listeners: [Int: [Listener]] = [:]
    var udpClients: [Int: [Listener]] = [:]
    for (index, host) in hosts.enumerated() {
      guard host.status == .ok, let snapshot = host.snapshot else { continue }
      let effective = (policy ?? Policy()).effective(host: host.name, groups: host.groups)
      let context = HostContext(name: host.name, groups: host.groups, snapshot: snapshot, policy: effective, hasPolicy: policy != nil)
      listeners[index] = context.listeners
      udpClients[index] = context.udpClients
      contexts.append(context)
    }
    var findings: [Finding] = []
    for context in contexts {
      for rule in RuleCatalog.entries { findings += rule.evaluate(context) }
    }
    // The aggregate before suppressions: peer-outlier findings come from it and are suppressed like any other.
    let aggregate = FleetAggregation.aggregate(contexts, policy: policy)
    findings += PeerOutlierRule.findings(aggregate.outliers, contexts: contexts)
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
    findings.sort(by: Finding.order)
    return AnalysisResult(findings: findings, notes: notes, aggregate: aggregate, listeners: listeners, udpClients: udpClients)
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
  /// This scan with the analysis's listeners (per host), findings, notes and aggregate filled in.
  public func analyzed(policy: Policy?, today: PolicyDate) -> ScanResult {
    let result = ExposureAnalysis.analyze(hosts, policy: policy, today: today)
    var copy = self
    for index in copy.hosts.indices {
      copy.hosts[index].listeners = result.listeners[index]
      copy.hosts[index].udpClientSockets = result.udpClients[index]
    }
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

extension ScanResult {
  /// The fleet aggregate: the one the analysis stored, or (for a scan.json written before
  /// aggregates were stored) the same aggregate worked out from the hosts, without a policy.
  public var fleetAggregate: FleetAggregate {
    if let aggregate { return aggregate }
    let contexts = hosts.compactMap { host -> HostContext? in
      guard host.status == .ok, let snapshot = host.snapshot else { return nil }
      return HostContext(
        name: host.name, groups: host.groups, snapshot: snapshot, policy: Policy().effective(host: host.name, groups: host.groups),
        hasPolicy: false)
    }
    return FleetAggregation.aggregate(contexts, policy: nil)
  }
}
