import FleetPortsCore

/// `fleetports history` as terminal tables (host-supplied text sanitised).
public enum HistoryText {
  /// The stored scans, newest first as given, one a row.
  public static func scans(_ scans: [StoredScan], path: String) -> String {
    guard !scans.isEmpty else { return "no scans stored in \(path) yet\n" }
    var rows = [["ID", "STARTED", "HOSTS OK", "FAILED", "LISTENERS", "FINDINGS", "INVENTORY"]]
    for scan in scans {
      let findings = Severity.allCases.reversed().compactMap { severity in
        scan.findings[severity].map { "\($0) \(severity.rawValue)" }
      }
      rows.append([
        "\(scan.id)", scan.startedAt + (scan.interrupted ? " (interrupted)" : ""), "\(scan.hostsOK)",
        "\(scan.hostsFailed + scan.hostsNotScanned)", "\(scan.listeners)", findings.isEmpty ? "none" : findings.joined(separator: ", "),
        TerminalText.sanitize(scan.inventory),
      ])
    }
    return TerminalTable.render(rows)
  }

  /// One host's listeners across the stored scans.
  public static func listeners(_ listeners: [ListenerHistory], host: String) -> String {
    guard !listeners.isEmpty else { return "\(TerminalText.sanitize(host)): no listeners in the stored scans\n" }
    var rows = [["PROTO", "ADDRESS", "PORT", "FIRST SEEN", "LAST SEEN", "STATE", "REACH", "PROCESSES"]]
    for listener in listeners {
      rows.append([
        listener.proto, TerminalText.sanitize(listener.address), listener.port.map(String.init) ?? "-",
        "#\(listener.firstSeen.scanID) \(listener.firstSeen.startedAt)", "#\(listener.lastSeen.scanID) \(listener.lastSeen.startedAt)",
        listener.state.rawValue, listener.reach ?? "-", TerminalText.sanitize(listener.processes.isEmpty ? "?" : listener.processes),
      ])
    }
    return TerminalTable.render(rows)
  }
}
