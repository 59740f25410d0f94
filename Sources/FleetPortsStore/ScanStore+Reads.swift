import FleetPortsCore
import Foundation
import GRDB

extension ScanStore {
  /// Stored scans, newest first (all of them when `limit` is nil).
  public func scans(limit: Int? = nil) throws(StoreError) -> [StoredScan] {
    try read("listing the scans") { db in
      if let limit { return try ScanQueries.summaries(db, sql: "ORDER BY id DESC LIMIT ?", arguments: [limit]) }
      return try ScanQueries.summaries(db, sql: "ORDER BY id DESC")
    }
  }

  /// One stored scan's summary; `unknownScan` (listing the stored ids) when there is none.
  public func summary(id: Int64) throws(StoreError) -> StoredScan {
    try read("reading scan \(id)") { db in
      guard let found = try ScanQueries.summaries(db, sql: "WHERE id = ?", arguments: [id]).first else {
        throw StoreError.unknownScan(id: id, available: try ScanQueries.ids(db))
      }
      return found
    }
  }

  /// Every stored scan id, oldest first.
  public func ids() throws(StoreError) -> [Int64] {
    try read("listing the scans") { db in try ScanQueries.ids(db) }
  }

  /// The stored scan.json, byte for byte as the scan wrote it.
  public func scanJSON(id: Int64) throws(StoreError) -> [UInt8] {
    try read("reading scan \(id)") { db in [UInt8](try ScanQueries.scanJSON(db, id: id)) }
  }

  /// The stored scan, decoded.
  public func scan(id: Int64) throws(StoreError) -> ScanResult {
    try read("reading scan \(id)") { db in try ScanQueries.scan(db, id: id) }
  }

  /// The newest scan that started at or before `epoch` (seconds since 1970), for `diff --since`.
  public func newest(startedAtOrBefore epoch: Double) throws(StoreError) -> StoredScan? {
    try read("finding an older scan") { db in
      try ScanQueries.summaries(db, sql: "WHERE startedEpoch <= ? ORDER BY startedEpoch DESC, id DESC LIMIT 1", arguments: [epoch]).first
    }
  }

  /// Host names in the history, sorted.
  public func hostNames() throws(StoreError) -> [String] {
    try read("listing the hosts") { db in try String.fetchAll(db, sql: "SELECT DISTINCT name FROM host ORDER BY name") }
  }

  /// For each shard of `fleet`, its scan `rank` places from the newest (0: newest) up to `throughID`.
  public func shardScans(fleet: String, rank: Int, throughID: Int64? = nil) throws(StoreError) -> [StoredScan] {
    try read("reading the shards of fleet \(fleet)") { db in
      try ScanQueries.shardScans(db, fleet: fleet, rank: rank, throughID: throughID ?? Int64.max)
    }
  }

  /// Fleets with sharded scans stored, sorted.
  public func fleets() throws(StoreError) -> [String] {
    try read("listing the fleets") { db in
      try String.fetchAll(
        db,
        sql: "SELECT DISTINCT \(ScanQueries.fleet) AS f FROM scan WHERE \(ScanQueries.fleet) IS NOT NULL AND \(ScanQueries.shard) IS NOT NULL ORDER BY f")
    }
  }
}
