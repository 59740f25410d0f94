import FleetPortsCore

/// "What changed since the previous scan" as terminal text and as Markdown; every value from
/// a host is sanitised (terminal) or escaped (Markdown).
public enum ScanChangesText {
  public static func terminal(_ changes: ScanChanges) -> String {
    let clean = TerminalText.sanitize
    guard !changes.isEmpty else { return "No changes between \(clean(changes.old)) and \(clean(changes.new)).\n" }
    var text = "Changes from \(clean(changes.old)) to \(clean(changes.new)):\n"
    for change in changes.hosts {
      text += "  host \(change.kind.rawValue): \(clean(change.host))" + (change.detail.map { " (\(clean($0)))" } ?? "") + "\n"
    }
    for change in changes.listeners {
      text += "  \(change.kind.rawValue): \(clean(change.host)) \(slot(change)) \(binds(change, clean: clean))\n"
    }
    for change in changes.findings {
      let finding = change.finding
      text += "  finding \(change.kind.rawValue): \(finding.severity.rawValue) \(finding.ruleID) on \(clean(finding.host))"
      if let socket = finding.socket { text += " " + clean(socket.text) }
      text += "\n"
    }
    return text
  }

  public static func markdown(_ changes: ScanChanges) -> String {
    let cell = MarkdownText.cell
    var text = "## Changes since the previous scan\n\n"
    guard !changes.isEmpty else { return text + "No changes between \(cell(changes.old)) and \(cell(changes.new)).\n" }
    text += "From \(cell(changes.old)) to \(cell(changes.new)).\n\n"
    var rows: [[String]] = []
    for change in changes.hosts {
      rows.append(["host " + change.kind.rawValue, cell(change.host), "", cell(change.detail ?? "")])
    }
    for change in changes.listeners {
      rows.append([change.kind.rawValue, cell(change.host), cell(slot(change)), cell(binds(change, clean: { $0 }))])
    }
    for change in changes.findings {
      let finding = change.finding
      rows.append(["finding " + change.kind.rawValue, cell(finding.host), cell(finding.socket?.text ?? ""), cell("\(finding.severity.rawValue) \(finding.ruleID): \(finding.title)")])
    }
    return text + MarkdownText.table(["Change", "Host", "Listener", "Detail"], rows)
  }

  static func slot(_ change: ListenerChange) -> String {
    change.proto.rawValue + (change.port.map { "/\($0)" } ?? "")
  }

  static func binds(_ change: ListenerChange, clean: (String) -> String) -> String {
    func describe(_ binds: [ListenerBind]) -> String {
      binds.map { bind in
        var text = bind.address
        if let reach = bind.reach { text += " (\(reach.rawValue))" }
        if !bind.processes.isEmpty { text += " " + bind.processes.joined(separator: ",") }
        // The firewall's part: for an exposure change it is the change itself.
        if change.kind == .exposureChanged, let summary = bind.exposureSummary { text += " [\(summary)]" }
        return clean(text)
      }.joined(separator: "; ")
    }
    switch change.kind {
    case .new: return describe(change.after)
    case .closed: return describe(change.before)
    default: return describe(change.before) + " → " + describe(change.after)
    }
  }
}
