import FleetPortsCore
import FleetPortsFiles
import Foundation
import GRDB

/// The scan history: every scan in one SQLite database (WAL; default `reports/fleetports.db`),
/// its scan.json kept whole beside host, listener and finding rows for queries.
///
///     let store = try ScanStore(path: "reports/fleetports.db")
///     let (id, stored, json) = try store.save(scan)
///     let last = try store.scans(limit: 2)
///
/// Each scan is written in one IMMEDIATE transaction: a crash or Ctrl-C leaves the whole scan
/// or none of it, and other processes writing at once wait (busy timeout) instead of failing.
public final class ScanStore: Sendable {
  /// The default database, beside the default report folders.
  public static let defaultPath = "reports/fleetports.db"
  /// How long a writer waits for another fleetports process to finish its transaction.
  public static let busyTimeout: TimeInterval = 30

  public let path: String
  let pool: DatabasePool

  /// Opens (creating when missing: folder 0700, file 0600) and migrates the history.
  public init(path: String = ScanStore.defaultPath) throws(StoreError) {
    self.path = path
    try StoreFiles.prepare(path)
    var config = Configuration()
    config.busyMode = .timeout(ScanStore.busyTimeout)
    config.label = "fleetports history"
    pool = try StoreFiles.whileOpening(path) { () throws(StoreError) -> DatabasePool in
      let pool: DatabasePool
      do {
        pool = try DatabasePool(path: path, configuration: config)
      } catch {
        throw .cannotOpen(path: path, reason: ScanStore.reason(error))
      }
      try ScanStore.migrate(pool, path: path)
      return pool
    }
  }

  /// Applies pending migrations (under `StoreFiles.whileOpening`'s lock, so one process at a time).
  static func migrate(_ pool: DatabasePool, path: String) throws(StoreError) {
    do {
      try StoreSchema.migrator.migrate(pool)
    } catch {
      throw .cannotOpen(path: path, reason: "its tables could not be set up: \(ScanStore.reason(error))")
    }
  }

  /// The newest stored scan of the same inventory (and shard) before the one being saved, handed to
  /// `save`'s `amend`: its `DiffBasis` (hosts, listener binds, findings), which is all
  /// `ScanDiff` reads and a small fraction of the whole scan to decode.
  public typealias Previous = (summary: StoredScan, basis: DiffBasis)

  /// Stores `scan` in one transaction and returns its id, the scan as stored and its scan.json
  /// bytes (so the caller writes the same bytes instead of encoding the scan again). `amend` runs
  /// inside that transaction with the newest stored scan of the same inventory (nil when there
  /// is none) and the new
  /// id, and returns the scan to store: `fleetports scan` adds the changes since the previous
  /// scan there, so no other writer can slip in between.
  @discardableResult
  public func save(
    _ scan: ScanResult, amend: ((_ previous: Previous?, _ id: Int64) throws -> ScanResult)? = nil
  ) throws(StoreError) -> (id: Int64, scan: ScanResult, json: [UInt8]) {
    try save(scan, amend: amend, afterRow: nil)
  }

  /// `save`, with scan.json encoded into `file` a MiB at a time and copied into the row from
  /// there: never whole in memory (a 1,000-host scan's is ≈ 60 MB). `file` is left for the
  /// caller to `commit` once the scan is stored (or to abandon).
  public func save(
    _ scan: ScanResult, amend: ((_ previous: Previous?, _ id: Int64) throws -> ScanResult)?, spoolingScanJSONTo file: PrivateFile
  ) throws(StoreError) -> (id: Int64, scan: ScanResult) {
    let saved = try save(scan, amend: amend, afterRow: nil, spool: file)
    return (saved.id, saved.scan)
  }

  /// `save`, with `afterRow` called after each row is inserted (tests make it throw halfway).
  func save(
    _ scan: ScanResult, amend: ((_ previous: Previous?, _ id: Int64) throws -> ScanResult)?, afterRow: ((String) throws -> Void)?,
    spool: PrivateFile? = nil
  ) throws(StoreError) -> (id: Int64, scan: ScanResult, json: [UInt8]) {
    try write("storing the scan") { db in
      let previous = amend == nil ? nil : try ScanQueries.newest(db, inventory: scan.options.inventory, shard: scan.options.shard).map { summary in (summary, try ScanQueries.diffBasis(db, id: summary.id)) }
      let id = try ScanWriter.insertScanRow(db, scan)
      try afterRow?("scan")
      let stored = try amend?(previous, id) ?? scan
      let json = try ScanWriter.insertChildren(db, id: id, stored, afterRow: afterRow, spool: spool)
      return (id, stored, json)
    }
  }

  /// Runs `body` in one IMMEDIATE transaction: it takes the write lock up front, so a
  /// concurrent writer waits for the busy timeout instead of failing halfway.
  func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
    do {
      return try pool.writeWithoutTransaction { db in
        var result: T?
        try db.inTransaction(.immediate) {
          result = try body(db)
          return .commit
        }
        // swift-format-ignore: NeverForceUnwrap
        // inTransaction ran `body` to its end (it rethrows otherwise), so result is set.
        return result!
      }
    } catch let error as StoreError {
      throw error
    } catch {
      throw .failed(path: path, operation: operation, reason: ScanStore.reason(error))
    }
  }

  func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
    do {
      return try pool.read { db in try body(db) }
    } catch let error as StoreError {
      throw error
    } catch {
      throw .failed(path: path, operation: operation, reason: ScanStore.reason(error))
    }
  }

  static func reason(_ error: any Error) -> String {
    if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
    return "\(error)"
  }
}
