import FleetPortsCore

/// The terminal summary printed after a scan: hosts scanned and failed (with reasons),
/// listeners by reach, where attribution is partial. Host-supplied text is sanitised.
public enum ScanSummaryText {
  public static func render(_ scan: ScanResult, reportPath: String?) -> String {
    let ok = scan.succeeded
    let failed = scan.failed
    let skipped = scan.hosts.filter { $0.status == .notScanned }
    var text = "fleetports scan of \(clean(scan.options.inventory)): \(scan.hosts.count) hosts, \(ok.count) scanned, \(failed.count) failed"
    if !skipped.isEmpty { text += ", \(skipped.count) not scanned" }
    text += scan.interrupted ? " (INTERRUPTED)\n" : "\n"

    var byReach: [ReachClass: Int] = [:]
    var rows: [[String]] = [["HOST", "ADDRESS", "LISTENERS", "PUBLIC", "PRIVATE", "LOOPBACK", "METHOD", "ATTRIBUTION"]]
    for host in ok {
      guard let snapshot = host.snapshot else { continue }
      var counts: [ReachClass: Int] = [:]
      for listener in snapshot.listeners where listener.proto != .unix {
        guard let local = listener.local else { continue }
        let reach = ListenerReach.classify(local.address, hostAddresses: snapshot.addresses, v6Only: listener.ipv6Only)
        counts[reach, default: 0] += 1
        byReach[reach, default: 0] += 1
      }
      rows.append([
        clean(host.name), clean(host.address), String(snapshot.listeners.filter { $0.proto != .unix }.count),
        String(counts[.public] ?? 0), String(counts[.privateNetwork] ?? 0), String(counts[.loopback] ?? 0),
        snapshot.provenance.method?.rawValue ?? "?", snapshot.provenance.attribution.rawValue,
      ])
    }
    if ok.count > 0 {
      text += "\n" + table(rows)
      let reachLine = ReachClass.allCases.reversed().map { "\($0.rawValue) \(byReach[$0] ?? 0)" }.joined(separator: " · ")
      text += "\nIP listeners by reach: \(reachLine)\n"
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

  static func table(_ rows: [[String]]) -> String {
    let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { index, cell in
        index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
      }.joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
  }
}
