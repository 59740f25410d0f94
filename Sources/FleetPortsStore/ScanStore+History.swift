import FleetPortsCore
import GRDB

extension ScanStore {
  /// Every listener `host` ever had in the stored scans, with first and last sighting and its
  /// state in the newest scan of the host; empty when no stored scan names the host.
  public func history(host: String) throws(StoreError) -> [ListenerHistory] {
    try read("reading the history of \(host)") { db in
      // The newest scan that names the host, and the newest that scanned it.
      let newest = try Int64.fetchOne(db, sql: "SELECT MAX(scanId) FROM host WHERE name = ?", arguments: [host])
      let newestOK = try Int64.fetchOne(db, sql: "SELECT MAX(scanId) FROM host WHERE name = ? AND status = 'ok'", arguments: [host])
      guard let newest else { return [] }
      let startedAt = { (id: Int64) in try String.fetchOne(db, sql: "SELECT startedAt FROM scan WHERE id = ?", arguments: [id]) ?? "?" }
      let groups = try Row.fetchAll(
        db,
        sql: """
          SELECT proto, address, port, MIN(scanId) AS first, MAX(scanId) AS last, COUNT(DISTINCT scanId) AS seen
          FROM listener WHERE host = ? GROUP BY proto, address, port ORDER BY proto, port, address
          """, arguments: [host])
      return try groups.map { row in
        let (first, last): (Int64, Int64) = (row["first"], row["last"])
        let port: Int? = row["port"]
        let latest = try Row.fetchOne(
          db,
          sql: "SELECT processes, user, reach FROM listener WHERE host = ? AND proto = ? AND address = ? AND port IS ? AND scanId = ? LIMIT 1",
          arguments: [host, row["proto"] as String, row["address"] as String, port, last])
        let state: ListenerHistory.State
        if last == newestOK {
          state = newest == newestOK ? .listening : .unknown
        } else {
          state = .gone
        }
        return ListenerHistory(
          proto: row["proto"], address: row["address"], port: port,
          firstSeen: .init(scanID: first, startedAt: try startedAt(first)), lastSeen: .init(scanID: last, startedAt: try startedAt(last)),
          sightings: row["seen"], processes: latest?["processes"] ?? "", user: latest?["user"], reach: latest?["reach"], state: state)
      }
    }
  }
}
