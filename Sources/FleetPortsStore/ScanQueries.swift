import FleetPortsCore
import Foundation
import GRDB

/// The SELECTs behind the store's reads, run inside a read or write transaction.
enum ScanQueries {
  /// The fleet and shard are read from the stored ScanOptions (`options`, JSON): they need no
  /// column of their own, so histories written before fleets existed read as they are.
  static let summaryColumns = """
    id, startedAt, startedEpoch, finishedAt, inventory, interrupted, hostsOK, hostsFailed, hostsNotScanned, listenerCount,
    \(fleet) AS fleet, \(shard) AS shard
    """
  /// `ScanOptions.fleet` and `.shard` of a scan row, in SQL (SQLite's JSON1).
  static let fleet = "json_extract(options, '$.fleet')"
  static let shard = "json_extract(options, '$.shard')"

  static func summaries(_ db: Database, sql tail: String, arguments: StatementArguments = []) throws -> [StoredScan] {
    try Row.fetchAll(db, sql: "SELECT \(summaryColumns) FROM scan \(tail)", arguments: arguments).map { row in
      let id: Int64 = row["id"]
      var findings: [Severity: Int] = [:]
      for count in try Row.fetchAll(
        db, sql: "SELECT severity, COUNT(*) AS n FROM finding WHERE scanId = ? AND suppressed = 0 GROUP BY severity", arguments: [id])
      {
        if let severity = Severity(rawValue: count["severity"]) { findings[severity] = count["n"] }
      }
      return StoredScan(
        id: id, startedAt: row["startedAt"], startedEpoch: row["startedEpoch"], finishedAt: row["finishedAt"],
        inventory: row["inventory"], interrupted: row["interrupted"], hostsOK: row["hostsOK"], hostsFailed: row["hostsFailed"],
        hostsNotScanned: row["hostsNotScanned"], listeners: row["listenerCount"], findings: findings, fleet: row["fleet"],
        shard: row["shard"])
    }
  }

  static func newest(_ db: Database) throws -> StoredScan? {
    try summaries(db, sql: "ORDER BY id DESC LIMIT 1").first
  }

  /// The newest stored scan of the same inventory (as given on the command line) and shard
  /// (nil: a whole-inventory scan), which is what the next scan of it is compared with.
  static func newest(_ db: Database, inventory: String, shard: String?) throws -> StoredScan? {
    try summaries(db, sql: "WHERE inventory = ? AND \(ScanQueries.shard) IS ? ORDER BY id DESC LIMIT 1", arguments: [inventory, shard]).first
  }

  /// For each shard of `fleet`, the scan `rank` places from its newest (see `HistoryStore.shardScans`).
  static func shardScans(_ db: Database, fleet: String, rank: Int, throughID: Int64) throws -> [StoredScan] {
    try summaries(
      db,
      sql: """
        WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY \(ScanQueries.shard) ORDER BY id DESC) AS rank
                                     FROM scan WHERE \(ScanQueries.fleet) = ? AND \(ScanQueries.shard) IS NOT NULL AND id <= ?)
                     WHERE rank = ?)
        ORDER BY id
        """, arguments: [fleet, throughID, rank + 1])
  }

  static func ids(_ db: Database) throws -> [Int64] {
    try Int64.fetchAll(db, sql: "SELECT id FROM scan ORDER BY id")
  }

  static func scanJSON(_ db: Database, id: Int64) throws -> Data {
    guard let data = try Data.fetchOne(db, sql: "SELECT scanJSON FROM scan WHERE id = ?", arguments: [id]) else {
      throw StoreError.unknownScan(id: id, available: try ids(db))
    }
    return data
  }

  /// A stored scan as `ScanDiff` needs it: its stored diff basis, else (a scan stored before
  /// there was one) the basis of the whole scan.
  static func diffBasis(_ db: Database, id: Int64) throws -> DiffBasis {
    guard let data = try Data.fetchOne(db, sql: "SELECT diffJSON FROM scan WHERE id = ?", arguments: [id]) else {
      return DiffBasis(try scan(db, id: id))
    }
    return try DiffBasisJSON.decode(data, id: id)
  }

  static func scan(_ db: Database, id: Int64) throws -> ScanResult {
    try decode(try scanJSON(db, id: id), id: id)
  }

  static func decode(_ data: Data, id: Int64) throws -> ScanResult {
    do {
      return try JSONDecoder().decode(ScanResult.self, from: data)
    } catch {
      throw StoreError.unreadableScan(id: id, reason: "\(error)")
    }
  }
}
