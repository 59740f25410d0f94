import FleetPortsCore

/// Turns `ReportFacts` into the HTML view model: cards, findings rows, the host × port
/// matrix (the most common ports, capped so a large fleet stays a readable page), host sections.
enum HTMLViewBuilder {
  /// Port columns shown in the matrix; the rest are counted in a note.
  static let matrixColumnLimit = 40

  static func page(_ facts: ReportFacts, nonce: String) -> HTMLView.Page {
    let scan = facts.scan
    let anchor = { (index: Int) in "h\(index)" }
    let cards = [
      HTMLView.Card(label: "Hosts", value: String(scan.hosts.count), css: ""),
      HTMLView.Card(label: "Scanned", value: String(facts.okCount), css: "ok"),
      HTMLView.Card(label: "Failed", value: String(facts.failedCount + facts.notScannedCount), css: facts.failedCount + facts.notScannedCount > 0 ? "bad" : ""),
      HTMLView.Card(label: "Public listeners", value: String(facts.publicListeners), css: facts.publicListeners > 0 ? "warn" : ""),
    ]
    let severityCards = Severity.allCases.reversed().map { severity in
      HTMLView.Card(label: severity.rawValue, value: String(facts.activeBySeverity[severity] ?? 0), css: "sev-\(severity.rawValue)")
    } + [HTMLView.Card(label: "suppressed", value: String(facts.suppressedCount), css: "sev-suppressed")]

    let findings = facts.findings.enumerated().map { index, finding in
      HTMLView.FindingRow(
        anchor: "f\(index)", severity: finding.severity.rawValue, severityRank: Severity.allCases.firstIndex(of: finding.severity) ?? 0,
        rule: finding.ruleID, host: finding.host, hostAnchor: facts.findingHost[index].map(anchor),
        socket: finding.socket?.text ?? "", reach: finding.socket?.reach?.rawValue ?? "",
        title: finding.title, evidence: finding.evidence, fix: finding.fix,
        suppressed: finding.suppressed.map { "suppressed: \($0.reason)" + ($0.expires.map { " (until \($0))" } ?? "") })
    }
    let failed = facts.hosts.filter { $0.result.status != .ok }.map { host in
      HTMLView.FailedHost(
        name: host.result.name, address: "\(host.result.address):\(host.result.port)", status: host.result.status.rawValue,
        code: host.result.failure?.code ?? "", message: host.result.failure?.message ?? "the scan was interrupted before this host")
    }
    return HTMLView.Page(
      inventory: scan.options.inventory, startedAt: scan.startedAt, finishedAt: scan.finishedAt, toolVersion: scan.toolVersion,
      method: scan.options.method.rawValue + (scan.options.sudo ? " (sudo)" : ""), interrupted: scan.interrupted, nonce: nonce,
      cards: cards, severityCards: severityCards, findings: findings, severities: Severity.allCases.reversed().map(\.rawValue),
      filterHosts: Set(facts.findings.map(\.host)).sorted(), filterRules: facts.rules, matrix: matrix(facts),
      hosts: facts.hosts.filter { $0.result.status == .ok }.map { host($0, facts: facts) }, failed: failed, notes: scan.analysisNotes,
      changes: scan.changesSinceLast.map(changes))
  }

  /// Values only: the template escapes every one of them.
  static func changes(_ changes: ScanChanges) -> HTMLView.Changes {
    var rows: [HTMLView.ChangeRow] = []
    for change in changes.hosts {
      rows.append(HTMLView.ChangeRow(kind: "host " + change.kind.rawValue, host: change.host, listener: "", detail: change.detail ?? ""))
    }
    for change in changes.listeners {
      rows.append(HTMLView.ChangeRow(
        kind: change.kind.rawValue, host: change.host, listener: ScanChangesText.slot(change),
        detail: ScanChangesText.binds(change, clean: { $0 })))
    }
    for change in changes.findings {
      let finding = change.finding
      let socket = finding.socket.map { "\($0.proto.rawValue) \($0.address)" + ($0.port.map { ":\($0)" } ?? "") } ?? ""
      rows.append(HTMLView.ChangeRow(
        kind: "finding " + change.kind.rawValue, host: finding.host, listener: socket,
        detail: "\(finding.severity.rawValue) \(finding.ruleID): \(finding.title)"))
    }
    return HTMLView.Changes(old: changes.old, new: changes.new, rows: rows)
  }

  static func matrix(_ facts: ReportFacts) -> HTMLView.Matrix {
    struct Column: Hashable {
      var proto: SocketProtocol
      var port: UInt16
    }
    var hostsPerColumn: [Column: Int] = [:]
    for host in facts.hosts {
      var seen = Set<Column>()
      for row in host.listeners where row.proto != .unix {
        guard let port = row.port else { continue }
        seen.insert(Column(proto: row.proto, port: port))
      }
      for column in seen { hostsPerColumn[column, default: 0] += 1 }
    }
    let chosen = hostsPerColumn.sorted { $0.value != $1.value ? $0.value > $1.value : ($0.key.port, $0.key.proto.rawValue) < ($1.key.port, $1.key.proto.rawValue) }
      .prefix(matrixColumnLimit).map(\.key)
      .sorted { ($0.port, $0.proto.rawValue) < ($1.port, $1.proto.rawValue) }
    let position = Dictionary(uniqueKeysWithValues: chosen.enumerated().map { ($1, $0) })
    let rows = facts.hosts.filter { $0.result.status == .ok }.map { host -> HTMLView.MatrixRow in
      var best: [ReachClass?] = Array(repeating: nil, count: chosen.count)
      var binds: [[String]] = Array(repeating: [], count: chosen.count)
      for row in host.listeners where row.proto != .unix {
        guard let port = row.port, let column = position[Column(proto: row.proto, port: port)], let reach = row.reach else { continue }
        if best[column].map({ reach > $0 }) ?? true { best[column] = reach }
        binds[column].append(row.bind)
      }
      let cells = best.enumerated().map { column, reach -> HTMLView.MatrixCell in
        guard let reach else { return HTMLView.MatrixCell(reach: "", label: "", rank: -1, title: "") }
        return HTMLView.MatrixCell(
          reach: reach.rawValue, label: shortLabel(reach), rank: ReachClass.allCases.firstIndex(of: reach) ?? 0,
          title: "\(reach.rawValue): " + binds[column].joined(separator: ", "))
      }
      return HTMLView.MatrixRow(host: host.result.name, anchor: "h\(host.index)", cells: cells)
    }
    return HTMLView.Matrix(
      columns: chosen.map { "\($0.proto.rawValue)/\($0.port)" }, rows: rows, hiddenColumns: hostsPerColumn.count - chosen.count)
  }

  static func shortLabel(_ reach: ReachClass) -> String {
    switch reach {
    case .public: return "pub"
    case .privateNetwork: return "priv"
    case .linkLocal: return "link"
    case .loopback: return "lo"
    }
  }

  static func host(_ host: ReportFacts.Host, facts: ReportFacts) -> HTMLView.Host {
    let result = host.result
    let snapshot = result.snapshot
    func listener(_ row: ListenerRow) -> HTMLView.Listener {
      HTMLView.Listener(
        bind: row.bind, port: row.port.map(String.init) ?? "", portSort: row.port.map(Int.init) ?? -1, process: row.processes,
        user: row.user, reach: row.reachText, reachRank: row.reach.flatMap { ReachClass.allCases.firstIndex(of: $0) } ?? -1,
        detail: row.mode.map { "mode \($0)" } ?? (row.receiveQueue.map { $0 > 0 ? "Recv-Q \($0)" : "" } ?? ""))
    }
    let total = host.states.reduce(0) { $0 + $1.count }
    let states = host.states.map { entry in
      HTMLView.StateSegment(
        state: entry.state.rawValue, css: entry.state.rawValue.lowercased().replacingUnderscores(), count: entry.count,
        percent: percent(entry.count, of: total))
    }
    let provenance = snapshot.map { snapshot in
      let p = snapshot.provenance
      let sections = p.sections.filter { $0.linesNotUnderstood > 0 || $0.truncated || !$0.complete }.map { section in
        var notes: [String] = []
        if section.linesNotUnderstood > 0 { notes.append("\(section.linesNotUnderstood) of \(section.linesRead) lines not understood") }
        if section.truncated { notes.append("truncated at \(section.bytes) bytes") }
        if !section.complete { notes.append("incomplete" + (section.exitCode.map { " (exit \($0))" } ?? "")) }
        return HTMLView.Section(
          name: section.name, note: notes.joined(separator: "; "),
          examples: section.firstProblems.prefix(3).map { "line \($0.lineNumber): \($0.reason): \($0.excerpt)" })
      }
      return HTMLView.Provenance(
        method: p.method?.rawValue ?? "?", attribution: p.attribution.rawValue, root: p.isRoot ? "yes" : "no",
        kernelTables: p.kernelTablesRead ? "read" : "not read",
        tools: p.toolVersions.sorted { $0.key < $1.key }.map { HTMLView.KeyValue(key: $0.key, value: $0.value) },
        sections: sections, problems: p.problems)
    } ?? HTMLView.Provenance(method: "?", attribution: "none", root: "?", kernelTables: "not read", tools: [], sections: [], problems: [])
    return HTMLView.Host(
      anchor: "h\(host.index)", name: result.name, address: result.address, port: result.port, user: result.user,
      groups: result.groups.joined(separator: ", "), hostname: snapshot?.meta.hostname ?? "", os: snapshot?.meta.osPrettyName ?? "",
      kernel: snapshot?.meta.kernel ?? "", duration: result.durationSeconds.map { JUnitReport.format3($0) + " s" } ?? "",
      publicCount: host.listeners.filter { $0.reach == .public }.count, findingCount: host.findingIndexes.count,
      tcp: host.listeners.filter { $0.proto == .tcp }.map(listener),
      udp: host.listeners.filter { $0.proto == .udp || $0.proto == .raw }.map(listener),
      unix: host.listeners.filter { $0.proto == .unix }.map(listener),
      states: states, stateTotal: total,
      overflows: snapshot?.counters.listenOverflows.map(String.init) ?? "—", drops: snapshot?.counters.listenDrops.map(String.init) ?? "—",
      provenance: provenance,
      findings: host.findingIndexes.map { index in
        let finding = facts.findings[index]
        return HTMLView.FindingLink(anchor: "f\(index)", severity: finding.severity.rawValue, title: finding.title, socket: finding.socket?.text ?? "")
      })
  }

  static func percent(_ count: Int, of total: Int) -> String {
    guard total > 0 else { return "0" }
    let tenths = (count * 1000 + total / 2) / total
    return "\(tenths / 10).\(tenths % 10)"
  }
}

extension String {
  /// `CLOSE_WAIT` → `close-wait`, for CSS class names built from our own enum values.
  func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}
