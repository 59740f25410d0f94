import FleetPortsCore

/// The Markdown report (GitHub-flavoured), meant to be pasted into a ticket: summary,
/// findings by severity, what is exposed beyond loopback, a table per host, failed hosts.
/// Every host-supplied value goes through `MarkdownText.cell`.
enum MarkdownReport {
  static func render(_ facts: ReportFacts) -> String {
    let scan = facts.scan
    let e = MarkdownText.cell
    var md = "# fleetports exposure report\n\n"
    md += "Inventory \(e(scan.options.inventory)) · started \(e(scan.startedAt)) · finished \(e(scan.finishedAt)) · "
    md += "\(e(scan.tool)) \(e(scan.toolVersion)) · method \(scan.options.method.rawValue)\(scan.options.sudo ? " (sudo)" : "")\n\n"
    if scan.interrupted { md += "> **Interrupted:** the scan was stopped; hosts not reached are listed as not scanned.\n\n" }

    md += "## Summary\n\n"
    md += MarkdownText.table(
      ["Hosts", "Scanned", "Failed", "Not scanned", "Public listeners"],
      [[String(scan.hosts.count), String(facts.okCount), String(facts.failedCount), String(facts.notScannedCount), String(facts.publicListeners)]])
    md += "\n"
    let severities = Severity.allCases.reversed()
    md += MarkdownText.table(
      severities.map { titleCase($0.rawValue) } + ["Suppressed"],
      [severities.map { String(facts.activeBySeverity[$0] ?? 0) } + [String(facts.suppressedCount)]])
    md += "\n"

    if let changes = scan.changesSinceLast { md += ScanChangesText.markdown(changes) + "\n" }

    md += "## Findings\n\n"
    if facts.findings.isEmpty { md += "No findings.\n\n" }
    for severity in severities {
      let group = facts.findings.filter { $0.severity == severity }
      guard !group.isEmpty else { continue }
      md += "### \(titleCase(severity.rawValue)) (\(group.count))\n\n"
      md += MarkdownText.table(
        ["Host", "Rule", "Socket", "Finding", "Evidence", "Fix"],
        group.map { finding in
          var title = e(finding.title)
          if let suppression = finding.suppressed {
            title += " (suppressed: \(e(suppression.reason))\(suppression.expires.map { ", until \(e($0))" } ?? ""))"
          }
          return [e(finding.host), e(finding.ruleID), e(finding.socket?.text ?? "—"), title, e(finding.evidence), e(finding.fix)]
        })
      md += "\n"
    }

    md += "## Exposure\n\nListeners reachable beyond loopback, widest reach first.\n\n"
    var exposed: [(ReportFacts.Host, ListenerRow)] = []
    for host in facts.hosts {
      for row in host.listeners where row.reach.map({ $0 > .loopback }) == true { exposed.append((host, row)) }
    }
    exposed.sort { a, b in
      if a.1.reach != b.1.reach { return (a.1.reach ?? .loopback) > (b.1.reach ?? .loopback) }
      return a.0.index < b.0.index
    }
    if exposed.isEmpty {
      md += "Nothing listens beyond loopback.\n\n"
    } else {
      md += MarkdownText.table(
        ["Host", "Proto", "Bind", "Port", "Process", "User", "Reach"],
        exposed.map { host, row in
          [e(host.result.name), row.proto.rawValue, e(row.bind), row.port.map(String.init) ?? "*", e(row.processes), e(row.user), row.reachText]
        })
      md += "\n"
    }

    md += "## Hosts\n\n"
    for host in facts.hosts where host.result.status == .ok {
      let result = host.result
      md += "### \(e(result.name))\n\n"
      md += "\(e(result.user))@\(e(result.address)):\(result.port)"
      if let snapshot = result.snapshot {
        md += " · hostname \(e(snapshot.meta.hostname ?? "?")) · \(e(snapshot.meta.osPrettyName ?? "unknown OS"))"
        md += " · method \(snapshot.provenance.method?.rawValue ?? "?") · attribution \(snapshot.provenance.attribution.rawValue)"
        if let overflows = snapshot.counters.listenOverflows { md += " · ListenOverflows \(overflows)" }
        if let drops = snapshot.counters.listenDrops { md += " · ListenDrops \(drops)" }
      }
      md += "\n\n"
      if host.listeners.isEmpty {
        md += "No listeners.\n\n"
      } else {
        md += MarkdownText.table(
          ["Proto", "Bind", "Port", "Process", "User", "Reach"],
          host.listeners.map { row in
            [row.proto.rawValue, e(row.bind) + (row.mode.map { " (mode \(e($0)))" } ?? ""), row.port.map(String.init) ?? "", e(row.processes), e(row.user), row.reachText]
          })
        md += "\n"
      }
      if !host.states.isEmpty {
        md += "TCP connections: " + host.states.map { "\($0.state.rawValue) \($0.count)" }.joined(separator: " · ") + "\n\n"
      }
    }

    let unscanned = facts.hosts.filter { $0.result.status != .ok }
    if !unscanned.isEmpty {
      md += "## Failed hosts\n\n"
      md += MarkdownText.table(
        ["Host", "Address", "Status", "Code", "Reason"],
        unscanned.map { host in
          let result = host.result
          return [e(result.name), "\(e(result.address)):\(result.port)", result.status.rawValue, e(result.failure?.code ?? "—"), e(result.failure?.message ?? "not scanned")]
        })
      md += "\n"
    }
    if !scan.analysisNotes.isEmpty {
      md += "## Analysis notes\n\n" + scan.analysisNotes.map { "- \(e($0))\n" }.joined() + "\n"
    }
    return md
  }
}

extension MarkdownReport {
  /// `critical` → `Critical`, for our own severity names.
  static func titleCase(_ word: String) -> String { word.prefix(1).uppercased() + word.dropFirst() }
}
