import FleetPortsCore

/// The terminal summary printed after a scan: hosts scanned and failed (with reasons),
/// listeners by reach (from the fleet aggregate), where attribution is partial. Host-supplied
/// text is sanitised.
public enum ScanSummaryText {
  /// The summary; `reportPath` is the report files' paths, shown last (nil when none were written).
  public static func render(_ scan: ScanResult, reportPath: String?) -> String {
    let ok = scan.succeeded
    let failed = scan.failed
    let skipped = scan.hosts.filter { $0.status == .notScanned }
    var text = "fleetports scan of \(clean(scan.options.inventory)): \(scan.hosts.count) hosts, \(ok.count) scanned, \(failed.count) failed"
    if !skipped.isEmpty { text += ", \(skipped.count) not scanned" }
    text += scan.interrupted ? " (INTERRUPTED)\n" : "\n"

    let aggregate = scan.fleetAggregate
    var rows: [[String]] = [["HOST", "ADDRESS", "LISTENERS", "PUBLIC", "PRIVATE", "LOOPBACK", "METHOD", "ATTRIBUTION"]]
    for host in ok {
      guard let snapshot = host.snapshot else { continue }
      let counts = aggregate.reachByHost[host.name] ?? FleetAggregate.ReachCounts()
      let ipListeners = ReachClass.allCases.reduce(0) { $0 + counts[$1] }
      rows.append([
        clean(host.name), clean(host.address), String(ipListeners), String(counts.public), String(counts.privateNetwork),
        String(counts.loopback), snapshot.provenance.method?.rawValue ?? "?", snapshot.provenance.attribution.rawValue,
      ])
    }
    if ok.count > 0 {
      text += "\n" + TerminalTable.render(rows)
      let reachLine = ReachClass.allCases.reversed().map { "\($0.rawValue) \(aggregate.reach[$0])" }.joined(separator: " · ")
      text += "\nIP listeners by reach: \(reachLine)\n"
      if let exposure = aggregate.exposure, !exposure.isEmpty {
        let line = ListenerExposure.Kind.allCases.reversed().map { "\($0.rawValue) \(exposure[$0.rawValue] ?? 0)" }.joined(separator: " · ")
        text += "Beyond loopback, through the firewall: \(line)\n"
      }
      let clients = ok.reduce(0) { $0 + ($1.udpClientSockets?.count ?? 0) }
      if clients > 0 {
        let hosts = ok.filter { !($0.udpClientSockets ?? []).isEmpty }.count
        text += "UDP client sockets (ephemeral ports, not counted as listeners): \(clients) on \(hosts) host(s)\n"
      }
    }
    // Only for scans that collected the firewall: an older scan.json says nothing about it.
    let unknown = ok.filter { ($0.snapshot?.firewall?.status ?? .unreadable) != .read }
    if !unknown.isEmpty, ok.contains(where: { $0.snapshot?.firewall != nil }) {
      text += "\nFirewall unknown on \(unknown.count) host(s) (exposure not judged there):\n"
      for host in unknown.prefix(10) {
        let reason = host.snapshot?.firewall?.reason ?? "this scan did not collect the firewall"
        text += "  \(clean(host.name)): \(clean(reason))\n"
      }
      if unknown.count > 10 { text += "  …\n" }
    }
    if !failed.isEmpty {
      text += "\nFailed hosts:\n"
      for host in failed {
        text += "  \(clean(host.name)) (\(clean(host.address)):\(host.port)): \(clean(host.failure?.message ?? "unknown failure"))\n"
      }
    }
    let degraded = ok.filter { $0.snapshot?.provenance.isDegraded ?? false }
    if !degraded.isEmpty {
      text += "\nIncomplete results (some sockets may be missing):\n"
      for host in degraded {
        let reasons = host.snapshot?.provenance.degraded.joined(separator: "; ") ?? ""
        text += "  \(clean(host.name)): \(clean(reasons))\n"
      }
    }
    let partial = ok.filter { $0.snapshot?.provenance.attribution != .complete }
    if !partial.isEmpty {
      text += "\nProcess attribution is partial on \(partial.count) host(s) (not root, or the tool failed): "
      text += partial.prefix(10).map { clean($0.name) }.joined(separator: ", ") + (partial.count > 10 ? ", …" : "") + "; use --sudo for full attribution\n"
    }
    if let reportPath { text += "\nReport: \(reportPath)\n" }
    return text
  }

  static func clean(_ text: String) -> String { TerminalText.sanitize(text) }
}
