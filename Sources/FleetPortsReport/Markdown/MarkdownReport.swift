import FleetPortsCore

/// The Markdown report (GitHub-flavoured), meant to be pasted into a ticket, in the HTML
/// report's order: overview (with the trend), services reachable beyond loopback, findings
/// grouped by rule, changes, who is connected, a table per host, failed hosts.
/// Every host-supplied value goes through `MarkdownText.cell`.
enum MarkdownReport {
  static func render(_ facts: ReportFacts) -> String {
    let scan = facts.scan
    let e = MarkdownText.cell
    var md = "# fleetports exposure report\n\n"
    md += "Inventory \(e(scan.options.inventory)) · started \(e(scan.startedAt)) · finished \(e(scan.finishedAt)) · "
    md += "\(e(scan.tool)) \(e(scan.toolVersion)) · method \(scan.options.method.rawValue)\(scan.options.sudo ? " (sudo)" : "")\n\n"
    if scan.interrupted { md += "> **Interrupted:** the scan was stopped; hosts not reached are listed as not scanned.\n\n" }

    if let view = scan.fleetView { md += FleetViewText.markdown(view) }
    md += overview(facts)
    md += services(facts)
    md += findings(facts)
    if let changes = scan.changesSinceLast { md += ScanChangesText.markdown(changes) + "\n" }
    md += connected(facts)

    md += "## Hosts\n\n"
    for host in facts.hosts where host.result.status == .ok {
      let result = host.result
      md += "### \(e(result.name))\n\n"
      md += "\(e(result.user))@\(e(result.address)):\(result.port)"
      if let shard = result.shard { md += " · shard \(e(shard)) · scanned \(e(result.scannedAt ?? "?"))" }
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
          host.listeners.map { listener in
            [
              listener.proto.rawValue, e(listener.bind) + (listener.unixMode.map { " (mode \(e($0.mode)))" } ?? ""),
              listener.port.map(String.init) ?? "", e(listener.ownersWithPIDs), e(listener.userText), e(listener.reachText),
            ]
          })
        md += "\n"
      }
      if let clients = result.udpClientSockets, !clients.isEmpty {
        // Shown apart: client sockets are neither listeners nor exposure (docs/scan-json.md).
        md +=
          "UDP client sockets (not listeners): "
          + clients.map { "\(e($0.text)) \(e($0.ownersWithPIDs))" }.joined(separator: " · ") + "\n\n"
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
          return [e(result.name), "\(e(result.address)):\(result.port)", result.status.rawValue, e(result.failure?.code.rawValue ?? "—"), e(result.failure?.message ?? "not scanned")]
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
  /// Hosts named per service row; the rest are counted.
  static let serviceHostLimit = 10

  /// Hosts, listeners by reach, findings by severity, and the trend over the stored scans.
  static func overview(_ facts: ReportFacts) -> String {
    let scan = facts.scan
    var md = "## Overview\n\n"
    md += MarkdownText.table(
      ["Hosts", "Scanned", "Failed", "Not scanned"],
      [[String(scan.hosts.count), String(facts.okCount), String(facts.failedCount), String(facts.notScannedCount)]])
    md += "\n"
    let reach = facts.aggregate.reach
    // The container-network column only where some host has unpublished container listeners.
    let classes = ReachClass.allCases.reversed().filter { $0 != .containerNetwork || reach.containerNetwork > 0 }
    md += MarkdownText.table(
      classes.map { titleCase($0.rawValue) } + ["Beyond loopback"],
      [classes.map { String(reach[$0]) } + [String(reach.public + reach.privateNetwork + reach.linkLocal)]])
    md += "\nIP listeners by reach (from bind and host addresses).\n\n"
    if let exposure = facts.aggregate.exposure, !exposure.isEmpty {
      let kinds = ListenerExposure.Kind.allCases.reversed()
      md += MarkdownText.table(kinds.map { titleCase($0.rawValue) }, [kinds.map { String(exposure[$0.rawValue] ?? 0) }])
      md += "\nListeners beyond loopback by effective exposure through each host's firewall and NAT (unknown: rules not readable).\n\n"
    }
    let severities = Severity.allCases.reversed()
    md += MarkdownText.table(
      severities.map { titleCase($0.rawValue) } + ["Suppressed"],
      [severities.map { String(facts.activeBySeverity[$0] ?? 0) } + [String(facts.suppressedCount)]])
    md += "\n### Trend (last \(facts.trend.points.count) scan(s) of this inventory)\n\n"
    md += MarkdownText.table(
      ["Scan", "Started", "Beyond loopback"] + severities.map { titleCase($0.rawValue) },
      facts.trend.points.map { point in
        [point.label, MarkdownText.cell(point.startedAt), String(point.listenersBeyondLoopback)]
          + severities.map { String(point.findings[$0] ?? 0) }
      })
    return md + "\n"
  }

  /// Services reachable beyond loopback, as in the HTML report.
  static func services(_ facts: ReportFacts) -> String {
    let e = MarkdownText.cell
    var md = "## Reachable beyond loopback, by service\n\n"
    guard !facts.services.isEmpty else { return md + "Nothing listens beyond loopback.\n\n" }
    md += MarkdownText.table(
      ["Service", "Port", "Hosts", "Reach", "Bind", "Owner", "Where"],
      facts.services.map { row in
        var hosts = row.hosts.prefix(serviceHostLimit).map { entry in
          e(facts.hosts[entry.host].result.name) + (entry.outlierNotes.isEmpty ? "" : " (peer outlier)")
        }
        if row.hosts.count > serviceHostLimit { hosts.append("… \(row.hosts.count - serviceHostLimit) more") }
        return [
          e(row.name), row.slot, String(row.hosts.count), row.widest.rawValue, e(row.binds.joined(separator: ", ")),
          e(row.owners.joined(separator: ", ")), hosts.joined(separator: ", "),
        ]
      })
    return md + "\n"
  }

  /// Findings grouped by rule: the fix once, then each host's finding.
  static func findings(_ facts: ReportFacts) -> String {
    let e = MarkdownText.cell
    var md = "## Findings by rule\n\n"
    if facts.findings.isEmpty { return md + "No findings.\n\n" }
    for group in facts.ruleGroups {
      let counts = group.bySeverity.map { "\($0.count) \($0.severity.rawValue)" }.joined(separator: ", ")
      md += "### \(titleCase(group.severity.rawValue)): \(e(group.rule)) — \(e(group.title))\n\n"
      md += "\(group.hosts) host(s); \(counts)" + (group.suppressed > 0 ? "; \(group.suppressed) suppressed" : "") + ".\n\n"
      md += "**Fix:** \(e(group.fix))\n\n"
      md += MarkdownText.table(
        ["Severity", "Host", "Socket", "Evidence"],
        group.findings.map { index in
          let finding = facts.findings[index]
          var evidence = e(finding.evidence)
          if finding.fix != group.fix { evidence += " (fix: \(e(finding.fix)))" }
          if let suppression = finding.suppressed {
            evidence += " (suppressed: \(e(suppression.reason))\(suppression.expires.map { ", until \(e($0))" } ?? ""))"
          }
          return [finding.severity.rawValue, e(finding.host), e(finding.socket?.text ?? "—"), evidence]
        })
      md += "\n"
    }
    return md
  }

  /// The listeners with the most remote peers.
  static func connected(_ facts: ReportFacts) -> String {
    let e = MarkdownText.cell
    var md = "## Who is connected\n\n"
    guard !facts.mostConnected.isEmpty else { return md + "No listener had a connection from another host.\n\n" }
    md += MarkdownText.table(
      ["Host", "Listener", "Established", "Remote peers", "Top networks"],
      facts.mostConnected.map { entry in
        [
          e(facts.hosts[entry.host].result.name), e(entry.connections.listener), String(entry.connections.established),
          String(entry.connections.remotePeers), e(HTMLViewBuilder.networksText(entry.connections)),
        ]
      })
    return md + "\n"
  }

  /// `critical` → `Critical`, for our own severity names.
  static func titleCase(_ word: String) -> String { word.prefix(1).uppercased() + word.dropFirst() }
}
