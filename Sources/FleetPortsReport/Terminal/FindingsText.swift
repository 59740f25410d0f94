import FleetPortsCore

/// The findings section of the terminal summary: counts by severity, then one line per
/// unsuppressed finding (most severe first, capped), then the analysis notes. Host text is
/// sanitised: it came from the hosts.
public enum FindingsText {
  /// Findings listed one a line; the rest are counted.
  public static let maxLines = 40

  /// The findings section; `failOn` adds the line saying how many findings fail the scan.
  public static func render(_ scan: ScanResult, failOn: Severity?) -> String {
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
    for finding in open.prefix(maxLines) {
      out += "  \(finding.severity.rawValue.uppercased().padding(8))\(finding.ruleID.padding(28))\(sanitize(finding.host))"
      if let socket = finding.socket { out += "  \(sanitize(socket.text))" }
      if let process = finding.socket?.processes.first { out += "  \(sanitize(process))" }
      out += "\n"
    }
    if open.count > maxLines { out += "  … and \(open.count - maxLines) more in scan.json\n" }
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
