import FleetPortsCore
import FleetPortsReport

/// How a scan ended: the scan as stored, where it went, what failed to be written, and the
/// exit code all that means.
public struct ScanOutcome: Sendable {
  /// The analysed scan, with the changes since the previous stored scan when there is one.
  public var scan: ScanResult
  /// The history database it was stored in.
  public var historyPath: String
  /// Its id in the history; nil when storing failed.
  public var storedID: Int64?
  /// Why it could not be stored; nil when it was.
  public var storeFailure: String?
  /// The files written, scan.json first.
  public var reportPaths: [String] = []
  /// Why not every file could be written; nil when they were.
  public var reportFailure: String?

  public init(scan: ScanResult, historyPath: String) {
    self.scan = scan
    self.historyPath = historyPath
  }

  /// The exit code, the first that applies (the README and `--help` list the same):
  /// 5 the scan ran but its files or its history record could not all be written;
  /// 130 interrupted; 1 unsuppressed findings at or above `failOn`; 4 no host could be
  /// scanned; 3 some hosts could not be scanned, or only partly (a kernel table cut or
  /// unreadable, output cut off); 0 otherwise.
  public func exitCode(failOn: Severity?) -> Int32 {
    if storeFailure != nil || reportFailure != nil { return 5 }
    if scan.interrupted { return 130 }
    if let failOn, !scan.failingFindings(atOrAbove: failOn).isEmpty { return 1 }
    let succeeded = scan.succeeded
    if succeeded.isEmpty { return 4 }
    let degraded = succeeded.contains { $0.snapshot?.provenance.isDegraded ?? false }
    if succeeded.count < scan.hosts.count || degraded { return 3 }
    return 0
  }

  /// What the terminal shows after a scan: the summary with listeners by reach, where the
  /// scan was stored and how much changed, then the findings grouped by rule (`verbose`: each one too).
  public func terminalText(failOn: Severity?, verbose: Bool = false) -> String {
    ScanSummaryText.render(scan, reportPath: reportFailure == nil ? reportPaths.joined(separator: ", ") : nil)
      + historyLine + FindingsText.render(scan, failOn: failOn, verbose: verbose)
  }

  /// `History: stored as scan 7 in reports/fleetports.db; since #6 (…): 3 changes (…)`.
  var historyLine: String {
    guard let id = storedID else { return "" }
    guard let changes = scan.changesSinceLast else { return "History: stored as scan \(id) in \(historyPath) (the first one there)\n" }
    let count = changes.hosts.count + changes.listeners.count + changes.findings.count
    let what = count == 0 ? "no changes" : "\(count) change\(count == 1 ? "" : "s") (`fleetports diff` shows them)"
    return "History: stored as scan \(id) in \(historyPath); since \(changes.old): \(what)\n"
  }
}
