import FleetPortsCore

/// What every renderer needs from a scan, gathered once: each host with its listeners (as the
/// analysis made them), TCP connection states, its findings, and the fleet's totals from the
/// aggregate. Nothing here works out reach, a socket's text or an order again.
struct ReportFacts {
  /// One host with what the reports show of it; `index` makes the HTML anchor `h<index>`.
  struct Host {
    var index: Int
    var result: HostResult
    /// In `Listener.order`.
    var listeners: [Listener]
    /// Non-listening TCP sockets by state, most common first.
    var states: [(state: SocketState, count: Int)]
    /// Indexes into `ReportFacts.findings`.
    var findingIndexes: [Int]
    /// Established connections per TCP listener (`ConnectionAggregation`), listeners with none left out.
    var connections: [ListenerConnections] = []
  }

  var scan: ScanResult
  var aggregate: FleetAggregate
  /// In the scan's host order (natural order of names).
  var hosts: [Host]
  /// In `Finding.order` (the analysis's); suppressed ones included.
  var findings: [Finding]
  /// For each finding, the index of its host in `hosts` (nil when the host is not in the scan).
  var findingHost: [Int?]
  /// Distinct rule ids, sorted.
  var rules: [String]
  var activeBySeverity: [Severity: Int]
  var suppressedCount: Int
  /// The exposure over the stored scans of this inventory, ending with this scan.
  var trend: ScanTrend
  /// Services reachable beyond loopback (`ReportFacts.services`).
  var services: [ServiceRow] = []
  /// Findings grouped by rule (`ReportFacts.ruleGroups`).
  var ruleGroups: [RuleGroup] = []
  /// The listeners with the most remote peers across the fleet.
  var mostConnected: [ConnectedListener] = []
  /// Inventory groups of the scanned hosts, sorted.
  var groups: [String] = []

  /// Listeners in the fleet's "who is connected" table.
  static let mostConnectedLimit = 25

  /// `trend` is the history's (`ScanStore.trend`, ending with this scan: see `ScanTrend.ending`);
  /// without one (or an empty one) the trend is this scan alone.
  init(_ scan: ScanResult, trend: ScanTrend? = nil) {
    self.scan = scan
    self.trend = trend.flatMap { $0.points.isEmpty ? nil : $0 } ?? ScanTrend.single(scan)
    aggregate = scan.fleetAggregate
    var hostIndex: [String: Int] = [:]
    var hosts: [Host] = []
    hosts.reserveCapacity(scan.hosts.count)
    for (index, result) in scan.hosts.enumerated() {
      if hostIndex[result.name] == nil { hostIndex[result.name] = index }
      var states: [(state: SocketState, count: Int)] = []
      if let snapshot = result.snapshot {
        var counts: [SocketState: Int] = [:]
        for socket in snapshot.sockets where !socket.isListening && socket.proto == .tcp {
          if let state = socket.state { counts[state, default: 0] += 1 }
        }
        states = counts.map { (state: $0.key, count: $0.value) }.sorted {
          $0.count != $1.count ? $0.count > $1.count : $0.state.rawValue < $1.state.rawValue
        }
      }
      let listeners = result.analysedListeners
      let connections = result.snapshot.map { ConnectionAggregation.connections(listeners: listeners, snapshot: $0) } ?? []
      hosts.append(
        Host(index: index, result: result, listeners: listeners, states: states, findingIndexes: [], connections: connections))
    }
    var findingHost: [Int?] = []
    var active: [Severity: Int] = [:]
    var suppressed = 0
    for (index, finding) in scan.findings.enumerated() {
      let host = hostIndex[finding.host]
      findingHost.append(host)
      if let host { hosts[host].findingIndexes.append(index) }
      if finding.suppressed == nil { active[finding.severity, default: 0] += 1 } else { suppressed += 1 }
    }
    self.hosts = hosts
    self.findings = scan.findings
    self.findingHost = findingHost
    self.rules = Set(scan.findings.map(\.ruleID)).sorted()
    self.activeBySeverity = active
    self.suppressedCount = suppressed
    self.services = ReportFacts.services(hosts, aggregate: aggregate)
    self.ruleGroups = ReportFacts.ruleGroups(scan.findings)
    self.mostConnected = ReportFacts.mostConnected(hosts, limit: ReportFacts.mostConnectedLimit)
    self.groups = Set(scan.hosts.flatMap(\.groups)).sorted()
  }

  /// Public listeners across the fleet, from the aggregate.
  var publicListeners: Int { aggregate.reach.public }
  var okCount: Int { scan.hosts.filter { $0.status == .ok }.count }
  var failedCount: Int { scan.hosts.filter { $0.status == .failed }.count }
  var notScannedCount: Int { scan.hosts.filter { $0.status == .notScanned }.count }
}

extension Listener {
  /// The reach as reports print it: the class, or `local` for a Unix socket; then the
  /// container (`in container web`) and each published port as one path
  /// (`host 0.0.0.0:8088 → container web 172.30.6.2:80 (nginx)`). Container names come from
  /// the host: reports escape this text.
  var reachText: String {
    var text = reach?.reach.rawValue ?? "local"
    if netns != nil, publications.isEmpty {
      text += " (in " + (container.map { "container \($0.label)" } ?? "network namespace \(netns ?? 0)") + ")"
    }
    for publication in publicationTexts { text += "; " + publication }
    return text
  }

  /// The user column: a name, `root`, `uid N`, or empty when unknown.
  var userText: String { user ?? "" }
}
