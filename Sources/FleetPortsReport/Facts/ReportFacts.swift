import FleetPortsCore

/// What every renderer needs, worked out once from a scan: listeners with their reach, TCP
/// connection states, findings sorted (worst first) and tied to hosts, and the totals.
struct ReportFacts {
  /// One host with what the reports show of it; `index` makes the HTML anchor `h<index>`.
  struct Host {
    var index: Int
    var result: HostResult
    var listeners: [ListenerRow]
    /// Non-listening TCP sockets by state, most common first.
    var states: [(state: SocketState, count: Int)]
    /// Indexes into `ReportFacts.findings`.
    var findingIndexes: [Int]
  }

  var scan: ScanResult
  var hosts: [Host]
  /// Worst first, then by host and rule; suppressed ones included.
  var findings: [Finding]
  /// For each finding, the index of its host in `hosts` (nil when the host is not in the scan).
  var findingHost: [Int?]
  /// Distinct rule ids, sorted.
  var rules: [String]
  var publicListeners: Int
  var activeBySeverity: [Severity: Int]
  var suppressedCount: Int

  init(_ scan: ScanResult) {
    self.scan = scan
    var hostIndex: [String: Int] = [:]
    var hosts: [Host] = []
    hosts.reserveCapacity(scan.hosts.count)
    var publicListeners = 0
    for (index, result) in scan.hosts.enumerated() {
      if hostIndex[result.name] == nil { hostIndex[result.name] = index }
      var listeners: [ListenerRow] = []
      var states: [(state: SocketState, count: Int)] = []
      if let snapshot = result.snapshot {
        let modes = Dictionary(snapshot.unixSocketModes.map { ($0.path, $0.mode) }, uniquingKeysWith: { first, _ in first })
        var counts: [SocketState: Int] = [:]
        for socket in snapshot.sockets {
          if socket.isListening {
            listeners.append(ListenerRow(socket, addresses: snapshot.addresses, modes: modes))
          } else if socket.proto == .tcp, let state = socket.state {
            counts[state, default: 0] += 1
          }
        }
        listeners.sort(by: ReportFacts.listenerOrder)
        states = counts.map { (state: $0.key, count: $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.state.rawValue < $1.state.rawValue }
        publicListeners += listeners.filter { $0.reach == .public }.count
      }
      hosts.append(Host(index: index, result: result, listeners: listeners, states: states, findingIndexes: []))
    }
    let findings = scan.findings.sorted { a, b in
      if a.severity != b.severity { return a.severity > b.severity }
      if a.host != b.host { return a.host < b.host }
      if a.ruleID != b.ruleID { return a.ruleID < b.ruleID }
      return (a.socket?.text ?? "") < (b.socket?.text ?? "")
    }
    var findingHost: [Int?] = []
    var active: [Severity: Int] = [:]
    var suppressed = 0
    for (index, finding) in findings.enumerated() {
      let host = hostIndex[finding.host]
      findingHost.append(host)
      if let host { hosts[host].findingIndexes.append(index) }
      if finding.suppressed == nil { active[finding.severity, default: 0] += 1 } else { suppressed += 1 }
    }
    self.hosts = hosts
    self.findings = findings
    self.findingHost = findingHost
    self.rules = Set(findings.map(\.ruleID)).sorted()
    self.publicListeners = publicListeners
    self.activeBySeverity = active
    self.suppressedCount = suppressed
  }

  var okCount: Int { scan.hosts.filter { $0.status == .ok }.count }
  var failedCount: Int { scan.hosts.filter { $0.status == .failed }.count }
  var notScannedCount: Int { scan.hosts.filter { $0.status == .notScanned }.count }

  /// TCP, then UDP, then raw, then Unix; widest reach first; then port and bind.
  static func listenerOrder(_ a: ListenerRow, _ b: ListenerRow) -> Bool {
    let protoRank: [SocketProtocol: Int] = [.tcp: 0, .udp: 1, .raw: 2, .unix: 3]
    if a.proto != b.proto { return (protoRank[a.proto] ?? 4) < (protoRank[b.proto] ?? 4) }
    if a.port != b.port { return (a.port ?? 0) < (b.port ?? 0) }
    return a.bind < b.bind
  }
}
