import FleetPortsCore
import FleetPortsFiles
import FleetPortsReport
import FleetPortsStore
import Foundation

/// One scan from plan to outcome, as `fleetports scan` and `fleetports local` both run it:
/// collect (SSH or this machine), stamp, analyse, store in the history with the changes
/// since the previous scan of the same inventory, write scan.json and the reports. Nothing
/// is printed here; the outcome says what happened and which exit code it means.
public struct ScanSession: Sendable {
  public var plan: ScanPlan
  public var reports: ReportDestination
  /// The history: SQLite (`ScanStore`) or a shared PostgreSQL one.
  public var store: any HistoryStore
  /// The version recorded in scan.json.
  public var toolVersion: String

  public init(plan: ScanPlan, reports: ReportDestination, store: any HistoryStore, toolVersion: String) {
    self.plan = plan
    self.reports = reports
    self.store = store
    self.toolVersion = toolVersion
  }

  /// Runs the scan. Cancelling the calling task (Ctrl-C) stops starting hosts, abandons the
  /// ones in flight, and still analyses, stores and writes what finished. `progress` is
  /// called after each host.
  public func run(progress: @escaping @Sendable (ScanProgress) -> Void = { _ in }) async -> ScanOutcome {
    let startedAt = Date()
    let hosts: [HostResult]
    let interrupted: Bool
    switch plan.source {
    case .fleet(let scanner, let targets, let refused):
      let scanned = await scanner.scan(targets, progress: progress)
      hosts = scanned.hosts + refused
      interrupted = scanned.interrupted || Task.isCancelled
    case .local(let method):
      // A probe that cannot run here is a failed row with its reason, as for a remote host.
      hosts = [await LocalCollector.collect(method: method)]
      interrupted = false
    }
    var analysed = ScanResult(
      toolVersion: toolVersion, startedAt: ScanArchive.iso8601(startedAt), finishedAt: ScanArchive.iso8601(Date()),
      interrupted: interrupted, options: plan.options, hosts: hosts
    ).analyzed(policy: plan.policy, today: ScanArchive.today())
    if plan.verifyReach, !interrupted { analysed = await ReachVerifier.verify(analysed) }
    var outcome = ScanOutcome(scan: analysed, historyPath: store.path)
    // Stored first, with the changes since the previous scan, so the reports can show them.
    // scan.json is encoded once, into its file as it goes (a 1,000-host one is ≈ 60 MB, never
    // whole in memory), and the history copies its row from there; the file is put in place
    // only once the scan is stored. Without it (no such file could be made), storing encodes
    // its own copy and the reports write theirs.
    let spool = try? ReportWriter.scanJSONFile(in: reports.folder)
    var scanJSONWritten = false
    do {
      let amend = { (previous: ScanStore.Previous?, id: Int64) in
        guard let previous else { return analysed }
        var amended = analysed
        amended.changesSinceLast = ScanDiff.changes(
          from: previous.basis, to: DiffBasis(analysed), oldLabel: previous.summary.label, newLabel: "#\(id) (\(analysed.startedAt))")
        return amended
      }
      if let spool {
        let saved = try store.save(analysed, amend: amend, spoolingScanJSONTo: spool)
        outcome.scan = saved.scan
        outcome.storedID = saved.id
        scanJSONWritten = (try? spool.commit()) != nil
      } else {
        let saved = try store.save(analysed, amend: amend)
        outcome.scan = saved.scan
        outcome.storedID = saved.id
      }
    } catch {
      outcome.storeFailure = "could not store the scan in the history: \(error)"
    }
    spool?.abandon()
    // The report's trend: the last scans of this inventory, this one last (its own point when
    // storing failed). A trend that cannot be read costs the chart, never the report.
    let trend: ScanTrend
    if let id = outcome.storedID, let stored = try? store.trend(
        inventory: outcome.scan.options.inventory, shard: outcome.scan.options.shard, throughID: id, limit: ScanTrend.maxPoints) {
      trend = stored.ending(with: outcome.scan, scanID: id)
    } else {
      trend = ScanTrend.single(outcome.scan)
    }
    do {
      outcome.reportPaths = try ReportWriter.write(
        outcome.scan, formats: reports.formats, to: reports.folder, updateLatest: reports.updatesLatest,
        scanJSONWritten: scanJSONWritten, trend: trend)
    } catch {
      outcome.reportFailure = "could not write the reports: \(error)"
    }
    return outcome
  }
}

/// Where a scan's files go: the folder (`--out`, else `reports/<UTC timestamp>` of when the
/// destination was made, just before the scan starts) and the formats (scan.json first).
public struct ReportDestination: Sendable {
  public var folder: String
  public var formats: [ReportFormat]
  /// Only the default `reports/` root gets a `latest` link: a custom `--out` never plants a
  /// link in someone else's folder.
  public var updatesLatest: Bool

  /// `out` (nil: the default folder named by `now`) and `formats` with scan.json put first
  /// (added when missing): it is the record every other format comes from.
  public init(out: String?, formats: [ReportFormat], now: Date = Date()) {
    folder = out ?? ScanArchive.defaultFolder(startedAt: now)
    updatesLatest = out == nil
    self.formats = [.json] + formats.filter { $0 != .json }
  }

  /// Creates the folder (0700) or checks an existing one is private, before anything is scanned.
  /// - Throws: `ReportError` saying what is wrong with the folder.
  public func prepare() throws {
    try ReportWriter.prepare(folder: folder)
  }
}
