import FleetPortsCore

/// The fleet-wide sections of the HTML page as Mustache contexts (dictionaries with one key
/// per name a template reads; a key is left out rather than set empty, because swift-mustache
/// treats `""` and `0` as true). Keys are prefixed per section so a missing one never picks up
/// a parent's value of the same name.
extension HTMLViewBuilder {
  /// Hosts listed under one service row; the rest are counted ("… and 12 more").
  static let serviceHostLimit = 60

  static func reachRank(_ reach: ReachClass) -> Int { ReachClass.allCases.firstIndex(of: reach) ?? 0 }

  /// The overview: hosts, listeners by reach, findings by severity (numbers and charts), the trend.
  static func overview(_ facts: ReportFacts) -> [String: Any] {
    let scan = facts.scan
    let reach = facts.aggregate.reach
    let reachParts: [(label: String, value: Int, css: String)] = ReachClass.allCases.reversed().map { r in
      (r.rawValue, reach[r], "r-\(r.rawValue)")
    }
    let hostParts: [(label: String, value: Int, css: String)] = [
      ("scanned", facts.okCount, "c-ok"), ("failed", facts.failedCount, "c-failed"), ("not scanned", facts.notScannedCount, "c-skipped"),
    ]
    let severities = Severity.allCases.reversed().map { s in (label: s.rawValue, value: facts.activeBySeverity[s] ?? 0, css: "sev-\(s.rawValue)") }
    var overview: [String: Any] = [
      "ovHosts": scan.hosts.count, "ovScanned": facts.okCount, "ovFailed": facts.failedCount, "ovNotScanned": facts.notScannedCount,
      "ovHostBar": HTMLCharts.stacked(hostParts),
      "ovReach": reachParts.map { ["rLabel": $0.label, "rValue": $0.value, "rCss": $0.css] },
      "ovReachBar": HTMLCharts.stacked(reachParts),
      "ovBeyond": reach.public + reach.privateNetwork + reach.linkLocal,
      "ovSeverities": severities.map { ["sLabel": $0.label, "sValue": $0.value, "sCss": $0.css] },
      "ovSeverityColumns": HTMLCharts.columns(severities),
      "ovSuppressed": facts.suppressedCount,
      "ovServices": facts.services.count,
      "ovOutliers": facts.aggregate.outliers.count,
    ]
    for (key, value) in HTMLCharts.trend(facts.trend) { overview[key] = value }
    return overview
  }

  /// "Reachable beyond loopback", one row per service and (protocol, port).
  static func services(_ facts: ReportFacts) -> [[String: Any]] {
    facts.services.map { row in
      var groups: Set<String> = []
      let hosts = row.hosts.prefix(serviceHostLimit).map { entry -> [String: Any] in
        let host = facts.hosts[entry.host]
        var item: [String: Any] = [
          "shName": host.result.name, "shAnchor": "h\(entry.host)", "shReach": entry.reach.rawValue,
          "shBinds": entry.binds.joined(separator: ", "),
        ]
        if let exposure = facts.aggregate.ports.first(where: { $0.proto == row.proto && $0.port == row.port })?.exposures?[host.result.name] {
          item["shExposure"] = exposure.rawValue
        }
        if !entry.outlierNotes.isEmpty { item["shOutlier"] = entry.outlierNotes.joined(separator: "; ") }
        return item
      }
      for entry in row.hosts { groups.formUnion(facts.hosts[entry.host].result.groups) }
      var context: [String: Any] = [
        "svName": row.name, "svSlot": row.slot, "svPort": Int(row.port), "svHostCount": row.hosts.count,
        "svReach": row.widest.rawValue, "svReachRank": reachRank(row.widest), "svBinds": row.binds.joined(separator: ", "),
        "svOwners": row.owners.joined(separator: ", "), "svUsers": row.users.joined(separator: ", "), "svHosts": hosts,
        // Unit separators: group names are the inventory's and may hold spaces.
        "svGroups": groups.sorted().joined(separator: "\u{1F}"), "svOutlierFlag": row.outlierHosts > 0 ? "1" : "0",
      ]
      if !row.category.isEmpty { context["svCategory"] = row.category }
      if row.outlierHosts > 0 { context["svOutliers"] = row.outlierHosts }
      if row.hosts.count > serviceHostLimit { context["svMore"] = row.hosts.count - serviceHostLimit }
      return context
    }
  }

  /// Findings grouped by rule, each finding a row under its rule.
  static func ruleGroups(_ facts: ReportFacts) -> [[String: Any]] {
    facts.ruleGroups.enumerated().map { number, group in
      let items = group.findings.map { index -> [String: Any] in
        let finding = facts.findings[index]
        let hostGroups = facts.findingHost[index].map { facts.hosts[$0].result.groups } ?? []
        var item: [String: Any] = [
          "fAnchor": "f\(index)", "fSeverity": finding.severity.rawValue, "fRank": Severity.allCases.firstIndex(of: finding.severity) ?? 0,
          "fHost": finding.host, "fSocket": finding.socket?.text ?? "—", "fEvidence": finding.evidence,
          "fGroups": hostGroups.joined(separator: "\u{1F}"),
        ]
        if let anchor = facts.findingHost[index] { item["fHostAnchor"] = "h\(anchor)" }
        if let reach = finding.socket?.reach { item["fReach"] = reach.rawValue }
        if finding.fix != group.fix { item["fFix"] = finding.fix }
        if let suppression = finding.suppressed {
          item["fSuppressed"] = "suppressed: \(suppression.reason)" + (suppression.expires.map { " (until \($0))" } ?? "")
        }
        return item
      }
      var context: [String: Any] = [
        "rgAnchor": "rule-\(number)", "rgRule": group.rule, "rgTitle": group.title, "rgSeverity": group.severity.rawValue,
        "rgHosts": group.hosts, "rgCount": group.findings.count, "rgFix": group.fix, "rgItems": items,
        "rgBySeverity": group.bySeverity.map { "\($0.count) \($0.severity.rawValue)" }.joined(separator: ", "),
      ]
      if group.suppressed > 0 { context["rgSuppressed"] = group.suppressed }
      return context
    }
  }

  /// The fleet's listeners with the most remote peers.
  static func connected(_ facts: ReportFacts) -> [[String: Any]] {
    facts.mostConnected.map { entry in
      let host = facts.hosts[entry.host]
      return [
        "ccHost": host.result.name, "ccAnchor": "h\(entry.host)", "ccListener": entry.connections.listener,
        "ccEstablished": entry.connections.established, "ccRemote": entry.connections.remotePeers,
        "ccNetworks": networksText(entry.connections),
      ]
    }
  }

  /// `10.200.0.0/24 (3), loopback (1), +2 more`.
  static func networksText(_ connections: ListenerConnections) -> String {
    let named = connections.networks.map { "\($0.name) (\($0.connections))" }
    return (named + (connections.otherNetworks > 0 ? ["+\(connections.otherNetworks) more"] : [])).joined(separator: ", ")
  }
}
