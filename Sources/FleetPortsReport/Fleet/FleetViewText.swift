import FleetPortsCore

/// The shards a fleet view (`report --fleet`) was made of, as a terminal table and a Markdown
/// section: each shard's label, the stored scan taken, when it started, its hosts and state.
public enum FleetViewText {
  /// `Fleet prod: 4 shards` then one row a shard; warnings follow as `Warning:` lines.
  public static func terminal(_ view: FleetView) -> String {
    let s = TerminalText.sanitize
    var rows = [["Shard", "Scan", "Started", "Hosts", "State"]]
    rows += view.shards.map { shard in
      [s(shard.label), shard.scanID.map { "#\($0)" } ?? "—", s(shard.startedAt ?? "—"), String(shard.hosts), shard.state.rawValue]
    }
    var text = "Fleet \(s(view.fleet)): \(view.shards.count) shard\(view.shards.count == 1 ? "" : "s")\n" + TerminalTable.render(rows)
    for warning in view.warnings { text += "Warning: \(s(warning))\n" }
    return text
  }

  /// `## Shards`: the same table, for the Markdown report.
  static func markdown(_ view: FleetView) -> String {
    let e = MarkdownText.cell
    var md = "## Shards of fleet \(e(view.fleet))\n\n"
    md += MarkdownText.table(
      ["Shard", "Scan", "Started", "Hosts", "State"],
      view.shards.map { shard in
        [e(shard.label), shard.scanID.map { "#\($0)" } ?? "—", e(shard.startedAt ?? "—"), String(shard.hosts), shard.state.rawValue]
      })
    md += "\n"
    if !view.warnings.isEmpty { md += view.warnings.map { "> **Warning:** \(e($0))\n>\n" }.joined().dropLast(2) + "\n\n" }
    return md
  }

  /// A fleet name as one folder name: letters, digits, `-`, `_` and `.` kept, the rest `_`.
  public static func fileSafe(_ name: String) -> String {
    let kept = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    return kept.isEmpty || kept.hasPrefix(".") ? "_" + kept : kept
  }
}
