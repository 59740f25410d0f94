import FleetPortsCore

/// Turns `ReportFacts` into the HTML view model: the fleet sections (`HTMLViewBuilder+Sections`), the host × port
/// matrix (the most common ports, capped so a large fleet stays a readable page), host sections.
enum HTMLViewBuilder {
  /// Port columns shown in the matrix; the rest are counted in a note.
  static let matrixColumnLimit = 40
  /// Scanned hosts above which the matrix is left out.
  static let matrixHostLimit = 250

  static func page(_ facts: ReportFacts, nonce: String) -> HTMLView.Page {
    let scan = facts.scan
    let failed = facts.hosts.filter { $0.result.status != .ok }.map { host in
      HTMLView.FailedHost(
        name: host.result.name, address: "\(host.result.address):\(host.result.port)", status: host.result.status.rawValue,
        code: host.result.failure?.code.rawValue ?? "", message: host.result.failure?.message ?? "the scan was interrupted before this host")
    }
    return HTMLView.Page(
      inventory: scan.options.inventory, startedAt: scan.startedAt, finishedAt: scan.finishedAt, toolVersion: scan.toolVersion,
      method: scan.options.method.rawValue + (scan.options.sudo ? " (sudo)" : ""), interrupted: scan.interrupted, nonce: nonce,
      severities: Severity.allCases.reversed().map(\.rawValue),
      filterHosts: Set(facts.findings.map(\.host)).sorted(by: NaturalOrder.areInIncreasingOrder), filterRules: facts.rules, matrix: matrix(facts),
      hosts: facts.hosts.filter { $0.result.status == .ok }.map { host($0, facts: facts) }, failed: failed, notes: scan.analysisNotes,
      changes: scan.changesSinceLast.map(changes),
      sections: [
        "overview": overview(facts), "serviceRows": services(facts), "hasServiceRows": !facts.services.isEmpty,
        "ruleGroups": ruleGroups(facts), "connectedRows": connected(facts), "hasConnectedRows": !facts.mostConnected.isEmpty,
        "filterGroups": facts.groups, "hasFilterGroups": !facts.groups.isEmpty,
        "reachNames": ReachClass.allCases.reversed().filter { $0 > .loopback }.map(\.rawValue),
        "ruleCount": facts.ruleGroups.count,
      ].merging(fleet(scan.fleetView)) { own, _ in own }, hasFindings: !facts.findings.isEmpty)
  }

  /// A fleet view's shards (`report --fleet`): `hasFleet`, `fleetName`, `fleetShards` rows and
  /// `fleetWarnings`; nothing for a single scan.
  static func fleet(_ view: FleetView?) -> [String: Any] {
    guard let view else { return [:] }
    let rows: [[String: Any]] = view.shards.map { shard in
      [
        "shardLabel": shard.label, "shardScan": shard.scanID.map { "#\($0)" } ?? "—", "shardStarted": shard.startedAt ?? "—",
        "shardHosts": shard.hosts, "shardState": shard.state.rawValue,
      ]
    }
    return ["hasFleet": true, "fleetName": view.fleet, "fleetShards": rows, "fleetWarnings": view.warnings]
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
      rows.append(HTMLView.ChangeRow(
        kind: "finding " + change.kind.rawValue, host: finding.host, listener: finding.socket?.text ?? "",
        detail: "\(finding.severity.rawValue) \(finding.ruleID): \(finding.title)"))
    }
    return HTMLView.Changes(old: changes.old, new: changes.new, rows: rows)
  }

  /// The port × host matrix from the fleet aggregate: the ports most hosts listen on (at
  /// most `matrixColumnLimit`), each cell the host's widest reach there, its binds in the title.
  static func matrix(_ facts: ReportFacts) -> HTMLView.Matrix {
    let ports = facts.aggregate.ports
    // Past a few hundred hosts a host per row is no picture (and half a megabyte): the
    // services table and each host's view say the same, so the matrix is left out.
    guard facts.okCount <= matrixHostLimit else {
      return HTMLView.Matrix(columns: [], rows: [], hiddenColumns: 0, omittedHosts: facts.okCount)
    }
    let chosen = ports.enumerated()
      .sorted { a, b in
        a.element.hosts.count != b.element.hosts.count ? a.element.hosts.count > b.element.hosts.count : a.offset < b.offset
      }
      .prefix(matrixColumnLimit).sorted { $0.offset < $1.offset }.map(\.element)
    let rows = facts.hosts.filter { $0.result.status == .ok }.map { host -> HTMLView.MatrixRow in
      let cells = chosen.map { column -> HTMLView.MatrixCell in
        guard let reach = column.hosts[host.result.name] else { return HTMLView.MatrixCell(reach: "", label: "", rank: -1, title: "") }
        let binds = host.listeners.filter { $0.proto == column.proto && $0.port == column.port }.map(\.bind)
        let exposure = column.exposures?[host.result.name]
        return HTMLView.MatrixCell(
          reach: reach.rawValue, label: shortLabel(reach), rank: ReachClass.allCases.firstIndex(of: reach) ?? 0,
          title: binds.joined(separator: ", ") + (exposure.map { "; firewall: \($0.rawValue)" } ?? ""), exposure: exposure?.rawValue ?? "")
      }
      return HTMLView.MatrixRow(host: host.result.name, anchor: "h\(host.index)", cells: cells)
    }
    return HTMLView.Matrix(
      columns: chosen.map { "\($0.proto.rawValue)/\($0.port)" }, rows: rows, hiddenColumns: ports.count - chosen.count, omittedHosts: 0)
  }

  static func shortLabel(_ reach: ReachClass) -> String {
    switch reach {
    case .public: return "pub"
    case .privateNetwork: return "priv"
    case .linkLocal: return "link"
    case .loopback: return "lo"
    case .containerNetwork: return "ctr"
    }
  }

  /// A container listener's container, and each published port as one path (issue 18).
  static func containerDetail(_ listener: Listener) -> [String] {
    var parts: [String] = []
    if listener.netns != nil, listener.publications.isEmpty {
      parts.append("in " + (listener.container.map { "container \($0.label)" } ?? "network namespace \(listener.netns ?? 0)"))
    }
    return parts + listener.publicationTexts
  }

  static func host(_ host: ReportFacts.Host, facts: ReportFacts) -> HTMLView.Host {
    let result = host.result
    let snapshot = result.snapshot
    func listener(_ listener: Listener) -> HTMLView.Listener {
      HTMLView.Listener(
        bind: listener.bind, port: listener.port.map(String.init) ?? "", portSort: listener.port.map(Int.init) ?? -1,
        process: listener.ownersWithPIDs, user: listener.userText, reach: listener.reach?.reach.rawValue ?? "local",
        reachRank: listener.reach.flatMap { ReachClass.allCases.firstIndex(of: $0.reach) } ?? -1,
        detail: ([listener.unixMode.map { "mode \($0.mode)" } ?? (listener.socket.receiveQueue.map { $0 > 0 ? "Recv-Q \($0)" : "" } ?? "")]
          + containerDetail(listener)).filter { !$0.isEmpty }.joined(separator: "; "),
        exposure: listener.exposure.flatMap { $0.kind == .unknown ? nil : $0.kind.rawValue } ?? "",
        exposureWhy: listener.exposure.map { $0.summary + " — " + $0.reason } ?? "")
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
      var provenance = HTMLView.Provenance(
        method: p.method?.rawValue ?? "?", attribution: p.attribution.rawValue, root: p.isRoot ? "yes" : "no",
        kernelTables: p.kernelTablesRead ? "read" : "not read",
        tools: p.toolVersions.sorted { $0.key < $1.key }.map { HTMLView.KeyValue(key: $0.key, value: $0.value) },
        sections: sections, problems: p.problems)
      if let firewall = snapshot.firewall {
        provenance.firewall =
          firewall.status == .read
          ? "read (\(firewall.ruleCount) rules" + (firewall.frontEnds.isEmpty ? "" : "; " + firewall.frontEnds.joined(separator: ", ")) + ")"
          : (firewall.reason ?? firewall.status.rawValue)
      }
      return provenance
    } ?? HTMLView.Provenance(method: "?", attribution: "none", root: "?", kernelTables: "not read", tools: [], sections: [], problems: [])
    var view = HTMLView.Host(
      anchor: "h\(host.index)", name: result.name, address: result.address, port: result.port, user: result.user,
      groups: result.groups.joined(separator: ", "), hostname: snapshot?.meta.hostname ?? "", os: snapshot?.meta.osPrettyName ?? "",
      kernel: snapshot?.meta.kernel ?? "", duration: result.durationSeconds.map { JUnitReport.format3($0) + " s" } ?? "",
      publicCount: facts.aggregate.reachByHost[result.name]?.public ?? 0, findingCount: host.findingIndexes.count,
      tcp: host.listeners.filter { $0.proto == .tcp }.map(listener),
      udp: host.listeners.filter { $0.proto == .udp || $0.proto == .raw }.map(listener),
      unix: host.listeners.filter { $0.proto == .unix }.map(listener),
      udpClients: (result.udpClientSockets ?? []).map(listener),
      states: states, stateTotal: total,
      overflows: snapshot?.counters.listenOverflows.map(String.init) ?? "—", drops: snapshot?.counters.listenDrops.map(String.init) ?? "—",
      provenance: provenance,
      findings: host.findingIndexes.map { index in
        let finding = facts.findings[index]
        return HTMLView.FindingLink(anchor: "f\(index)", severity: finding.severity.rawValue, title: finding.title, socket: finding.socket?.text ?? "")
      },
      connections: host.connections.map { connections in
        [
          "hcListener": connections.listener, "hcEstablished": connections.established, "hcPeers": connections.peers,
          "hcRemote": connections.remotePeers, "hcNetworks": networksText(connections),
        ]
      })
    if let shard = result.shard { view.shard = "shard \(shard) · scanned \(result.scannedAt ?? "?")" }
    return view
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
