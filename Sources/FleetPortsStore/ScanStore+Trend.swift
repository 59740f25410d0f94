import FleetPortsCore
import GRDB

extension ScanStore {
  /// The exposure trend of one inventory: its stored scans up to and including `throughID`
  /// (all when nil), at most the `limit` newest, oldest first. Each point counts the scan's
  /// listener rows whose reach is wider than loopback and its unsuppressed findings by severity,
  /// with one grouped query each (no scan.json is decoded). Only scans of `shard` count (nil:
  /// whole-inventory scans), so one shard's chart never mixes in another's hosts.
  public func trend(
    inventory: String, shard: String? = nil, throughID: Int64? = nil, limit: Int = ScanTrend.maxPoints
  ) throws(StoreError) -> ScanTrend {
    try read("reading the trend of \(inventory)") { db in
      let ids = try Row.fetchAll(
        db,
        sql: """
          SELECT id, startedAt FROM scan WHERE inventory = ? AND \(ScanQueries.shard) IS ? AND id <= ? ORDER BY id DESC LIMIT ?
          """,
        arguments: [inventory, shard, throughID ?? Int64.max, max(1, limit)])
      guard let oldest: Int64 = ids.last?["id"], let newest: Int64 = ids.first?["id"] else { return ScanTrend(points: []) }
      var listeners: [Int64: Int] = [:]
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT scanId, COUNT(*) AS n FROM listener
          WHERE scanId BETWEEN ? AND ? AND reach IS NOT NULL AND reach <> 'loopback' GROUP BY scanId
          """,
        arguments: [oldest, newest])
      {
        listeners[row["scanId"]] = row["n"]
      }
      var findings: [Int64: [Severity: Int]] = [:]
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT scanId, severity, COUNT(*) AS n FROM finding
          WHERE scanId BETWEEN ? AND ? AND suppressed = 0 GROUP BY scanId, severity
          """,
        arguments: [oldest, newest])
      {
        if let severity = Severity(rawValue: row["severity"]) { findings[row["scanId"], default: [:]][severity] = row["n"] }
      }
      let points = ids.reversed().map { row -> ScanTrend.Point in
        let id: Int64 = row["id"]
        return ScanTrend.Point(
          scanID: id, startedAt: row["startedAt"], listenersBeyondLoopback: listeners[id] ?? 0, findings: findings[id] ?? [:])
      }
      return ScanTrend(points: points)
    }
  }
}
