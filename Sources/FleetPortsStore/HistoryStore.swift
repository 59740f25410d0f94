import FleetPortsCore
import FleetPortsFiles

/// The scan history as every command uses it, whichever database holds it: `ScanStore`
/// (SQLite, one file, the embedded default) or the PostgreSQL store in FleetPortsPostgres
/// (`--db postgresql://…`, one history several controllers write at once). Both keep the
/// same tables, migrations and guarantees: each scan is written in one transaction (all of it
/// or none), ids come from the database and are never reused, and `save`'s `amend` sees the
/// newest earlier scan of the same inventory and shard with no other writer in between.
public protocol HistoryStore: Sendable {
  /// Where the history is, as messages name it: a file path, or a URL without its password.
  var path: String { get }

  /// Stores `scan` in one transaction; see `ScanStore.save`.
  func save(
    _ scan: ScanResult, amend: ((_ previous: ScanStore.Previous?, _ id: Int64) throws -> ScanResult)?
  ) throws(StoreError) -> (id: Int64, scan: ScanResult, json: [UInt8])
  /// Stores `scan` as `save` does and writes its scan.json into `file` (left for the caller to
  /// `commit`); the SQLite store encodes it there a MiB at a time and copies the row from the
  /// file, so it is never whole in memory.
  func save(
    _ scan: ScanResult, amend: ((_ previous: ScanStore.Previous?, _ id: Int64) throws -> ScanResult)?,
    spoolingScanJSONTo file: PrivateFile
  ) throws(StoreError) -> (id: Int64, scan: ScanResult)
  /// Stored scans, newest first (all when `limit` is nil).
  func scans(limit: Int?) throws(StoreError) -> [StoredScan]
  /// One stored scan's summary; `unknownScan` when there is none.
  func summary(id: Int64) throws(StoreError) -> StoredScan
  /// Every stored scan id, oldest first.
  func ids() throws(StoreError) -> [Int64]
  /// The stored scan.json, byte for byte.
  func scanJSON(id: Int64) throws(StoreError) -> [UInt8]
  /// The stored scan, decoded.
  func scan(id: Int64) throws(StoreError) -> ScanResult
  /// The newest scan that started at or before `epoch` (seconds since 1970).
  func newest(startedAtOrBefore epoch: Double) throws(StoreError) -> StoredScan?
  /// Host names in the history, sorted.
  func hostNames() throws(StoreError) -> [String]
  /// Every listener `host` ever had; see `ScanStore.history(host:)`.
  func history(host: String) throws(StoreError) -> [ListenerHistory]
  /// The exposure trend of one inventory's scans of `shard` (nil: whole-inventory scans); see `ScanStore.trend`.
  func trend(inventory: String, shard: String?, throughID: Int64?, limit: Int) throws(StoreError) -> ScanTrend
  /// Removes the scans `rules` select, in one transaction; `vacuum` gives the space back.
  func prune(_ rules: PruneRules, now: Double, vacuum: Bool) throws(StoreError) -> [StoredScan]
  /// For each shard label of `fleet`, its scan at `rank` counted from the newest (0: the
  /// newest, 1: the one before) among the scans up to and including `throughID` (nil: all),
  /// as summaries; shards with fewer scans are absent.
  func shardScans(fleet: String, rank: Int, throughID: Int64?) throws(StoreError) -> [StoredScan]
  /// The fleets that have sharded scans stored, sorted.
  func fleets() throws(StoreError) -> [String]
}

extension ScanStore: HistoryStore {}

extension HistoryStore {
  /// `save`, then its scan.json bytes written into `file`. A file that cannot be written is
  /// abandoned (the scan stays stored): the caller's `commit` then fails and it writes
  /// scan.json another way.
  public func save(
    _ scan: ScanResult, amend: ((_ previous: ScanStore.Previous?, _ id: Int64) throws -> ScanResult)?,
    spoolingScanJSONTo file: PrivateFile
  ) throws(StoreError) -> (id: Int64, scan: ScanResult) {
    let saved = try save(scan, amend: amend)
    let appended = saved.json.withUnsafeBytes { bytes in (try? file.append(bytes)) != nil }
    if !appended { file.abandon() }
    return (saved.id, saved.scan)
  }
}
