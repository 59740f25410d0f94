import FleetPortsCore

/// The findings section of the terminal summary: counts by severity, then one line per rule
/// (most severe first: severity, rule, findings, hosts and the first hosts by name), then the
/// analysis notes. `verbose` adds every unsuppressed finding, one a line. Host text is
/// sanitised: it came from the hosts.
public enum FindingsText {
  /// Hosts named on a rule's line; the rest are counted.
  public static let topHosts = 5

  /// The findings section; `failOn` adds the line saying how many findings fail the scan;
  /// `verbose` lists every unsuppressed finding under its rule.
  public static func render(_ scan: ScanResult, failOn: Severity?, verbose: Bool = false) -> String {
    let open = scan.findings.filter { $0.suppressed == nil }
    let suppressed = scan.findings.count - open.count
    var out = "\nFindings: "
    if scan.findings.isEmpty {
      out += "none\n"
    } else {
      let counts = Severity.allCases.reversed().compactMap { severity -> String? in
        let n = open.filter { $0.severity == severity }.count
        return n == 0 ? nil : "\(severity.rawValue) \(n)"
      }
      out += (counts.isEmpty ? "none unsuppressed" : counts.joined(separator: " · "))
      out += suppressed > 0 ? " (\(suppressed) suppressed by policy)\n" : "\n"
    }
    let groups = ReportFacts.ruleGroups(open)
    if !groups.isEmpty {
      var rows = [["  SEVERITY", "RULE", "FINDINGS", "HOSTS", "WHERE"]]
      for group in groups {
        var hosts: [String] = []
        for index in group.findings where !hosts.contains(open[index].host) { hosts.append(open[index].host) }
        let shown = hosts.prefix(topHosts).map(sanitize).joined(separator: ", ")
        rows.append([
          "  " + group.severity.rawValue.uppercased(), group.rule, String(group.findings.count), String(group.hosts),
          shown + (hosts.count > topHosts ? ", … \(hosts.count - topHosts) more" : ""),
        ])
      }
      out += TerminalTable.render(rows)
      if verbose {
        for group in groups {
          out += "\n\(group.rule) (\(group.severity.rawValue)): \(sanitize(group.title))\n  fix: \(sanitize(group.fix))\n"
          for index in group.findings {
            let finding = open[index]
            out += "  \(finding.severity.rawValue.uppercased().padding(8))\(sanitize(finding.host))"
            if let socket = finding.socket { out += "  \(sanitize(socket.text))" }
            out += "  \(sanitize(finding.evidence))\n"
          }
        }
      } else {
        out += "(every finding: --verbose, the report, or scan.json)\n"
      }
    }
    for note in scan.analysisNotes { out += "Note: \(sanitize(note))\n" }
    if let failOn {
      let failing = scan.failingFindings(atOrAbove: failOn).count
      out += "--fail-on \(failOn.rawValue): \(failing) unsuppressed finding(s) at or above it\n"
    }
    return out
  }

  static func sanitize(_ text: String) -> String { TerminalText.sanitize(text) }
}

extension String {
  /// The text left-aligned in `width` columns, with at least one space after it.
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
}
