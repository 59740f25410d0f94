import FleetPortsCore

/// The report's fleet-wide sections, gathered once from `ReportFacts` for every renderer
/// (HTML, Markdown, terminal): services reachable beyond loopback, findings grouped by rule,
/// and the listeners with the most remote peers. Numbers come from the analysis's values
/// (`Listener`, `FleetAggregate`, `Finding`, `ListenerConnections`); nothing is judged again.
extension ReportFacts {
  /// One service on one (protocol, port), reachable beyond loopback on at least one host.
  struct ServiceRow {
    /// One host's listeners of the service there.
    struct HostEntry {
      var host: Int
      var reach: ReachClass
      var binds: [String]
      var owners: [String]
      var users: [String]
      /// The groups in which this (protocol, port) is rare (`FleetAggregate.outliers`), with their wording.
      var outlierNotes: [String]
    }

    /// The identified service (`postgres`), else the owner process, else `unknown`.
    var name: String
    var category: String
    var proto: SocketProtocol
    var port: UInt16
    /// Hosts in the scan's (natural) order.
    var hosts: [HostEntry]

    var widest: ReachClass { hosts.map(\.reach).max() ?? .loopback }
    var slot: String { "\(port)/\(proto.rawValue)" }
    var binds: [String] { unique(hosts.flatMap(\.binds)) }
    var owners: [String] { unique(hosts.flatMap(\.owners)) }
    var users: [String] { unique(hosts.flatMap(\.users)) }
    var outlierHosts: Int { hosts.filter { !$0.outlierNotes.isEmpty }.count }

    func unique(_ values: [String]) -> [String] {
      var seen: Set<String> = []
      return values.filter { !$0.isEmpty && seen.insert($0).inserted }
    }
  }

  /// Every finding of one rule.
  struct RuleGroup {
    var rule: String
    var title: String
    /// The most severe of its findings.
    var severity: Severity
    /// Indexes into `ReportFacts.findings`, in `Finding.order`.
    var findings: [Int]
    /// The fix most of its findings give (the first such in `Finding.order` on a tie).
    var fix: String
    var hosts: Int
    var suppressed: Int
    var bySeverity: [(severity: Severity, count: Int)]
  }

  /// One listener with remote peers, for the fleet's "who is connected" table.
  struct ConnectedListener {
    var host: Int
    var connections: ListenerConnections
  }

  /// Services reachable beyond loopback: widest reach first, then most hosts, then name and port.
  static func services(_ hosts: [Host], aggregate: FleetAggregate) -> [ServiceRow] {
    var rare: [String: [String: [String]]] = [:]  // "proto/port" → host → notes
    for outlier in aggregate.outliers {
      let note = "rare in \(outlier.group): \(outlier.hosts.count) of \(outlier.groupSize) hosts (< \(outlier.thresholdPercent) %)"
      for host in outlier.hosts { rare["\(outlier.proto.rawValue)/\(outlier.port)", default: [:]][host, default: []].append(note) }
    }
    var order: [String] = []
    var rows: [String: ServiceRow] = [:]
    for host in hosts where host.result.status == .ok {
      var entries: [String: ServiceRow.HostEntry] = [:]
      var keys: [String] = []
      for listener in host.listeners where [.tcp, .udp].contains(listener.proto) {
        guard let reach = listener.reach?.reach, reach > .loopback, let port = listener.port else { continue }
        let name = listener.service?.service.name ?? listener.ownerNames.first.map(ServiceIdentifier.normalizedName) ?? "unknown"
        let key = "\(name)\u{0}\(listener.proto.rawValue)/\(port)"
        if rows[key] == nil {
          order.append(key)
          rows[key] = ServiceRow(
            name: name, category: listener.service?.service.category.rawValue ?? "", proto: listener.proto, port: port, hosts: [])
        }
        var entry =
          entries[key]
          ?? ServiceRow.HostEntry(
            host: host.index, reach: reach, binds: [], owners: [], users: [],
            outlierNotes: rare["\(listener.proto.rawValue)/\(port)"]?[host.result.name] ?? [])
        if entries[key] == nil { keys.append(key) }
        entry.reach = max(entry.reach, reach)
        entry.binds.append(listener.bind)
        entry.owners += listener.ownerNames.map(ServiceIdentifier.normalizedName)
        if let user = listener.user { entry.users.append(user) }
        entries[key] = entry
      }
      for key in keys { if let entry = entries[key] { rows[key]?.hosts.append(entry) } }
    }
    return order.compactMap { rows[$0] }.sorted { a, b in
      if a.widest != b.widest { return a.widest > b.widest }
      if a.hosts.count != b.hosts.count { return a.hosts.count > b.hosts.count }
      if a.name != b.name { return a.name < b.name }
      return (a.port, a.proto.rawValue) < (b.port, b.proto.rawValue)
    }
  }

  /// Findings grouped by rule: most severe rule first, then most hosts, then rule id.
  static func ruleGroups(_ findings: [Finding]) -> [RuleGroup] {
    var order: [String] = []
    var indexes: [String: [Int]] = [:]
    for (index, finding) in findings.enumerated() {
      if indexes[finding.ruleID] == nil { order.append(finding.ruleID) }
      indexes[finding.ruleID, default: []].append(index)
    }
    let groups = order.compactMap { rule -> RuleGroup? in
      guard let members = indexes[rule], let first = members.first else { return nil }
      var fixes: [String: Int] = [:]
      var severities: [Severity: Int] = [:]
      for index in members {
        fixes[findings[index].fix, default: 0] += 1
        severities[findings[index].severity, default: 0] += 1
      }
      let top = fixes.values.max() ?? 0
      let chosen = members.map { findings[$0].fix }.first { fixes[$0] == top } ?? findings[first].fix
      return RuleGroup(
        rule: rule, title: RuleCatalog.rules.first { $0.id == rule }?.title ?? findings[first].title, severity: members.map { findings[$0].severity }.max() ?? findings[first].severity,
        findings: members, fix: chosen, hosts: Set(members.map { findings[$0].host }).count,
        suppressed: members.filter { findings[$0].suppressed != nil }.count,
        bySeverity: Severity.allCases.reversed().compactMap { severity in severities[severity].map { (severity, $0) } })
    }
    return groups.sorted { a, b in
      if a.severity != b.severity { return a.severity > b.severity }
      if a.hosts != b.hosts { return a.hosts > b.hosts }
      return a.rule < b.rule
    }
  }

  /// Listeners with remote peers (not loopback, not the host itself), most remote peers first,
  /// then most connections, then host order; at most `limit`.
  static func mostConnected(_ hosts: [Host], limit: Int) -> [ConnectedListener] {
    var all: [ConnectedListener] = []
    for host in hosts {
      for connections in host.connections where connections.remotePeers > 0 {
        all.append(ConnectedListener(host: host.index, connections: connections))
      }
    }
    all.sort { a, b in
      if a.connections.remotePeers != b.connections.remotePeers { return a.connections.remotePeers > b.connections.remotePeers }
      if a.connections.established != b.connections.established { return a.connections.established > b.connections.established }
      return a.host != b.host ? a.host < b.host : a.connections.port < b.connections.port
    }
    return Array(all.prefix(limit))
  }
}
