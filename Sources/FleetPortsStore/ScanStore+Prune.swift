import FleetPortsCore
import GRDB

extension ScanStore {
  /// Removes the scans `rules` select (their hosts, listeners and findings go with them) in
  /// one transaction and returns them; `vacuum` then gives the space back to the file system.
  public func prune(_ rules: PruneRules, now: Double, vacuum: Bool = false) throws(StoreError) -> [StoredScan] {
    let removed = try write("pruning") { db in
      let scans = try ScanQueries.summaries(db, sql: "ORDER BY id DESC")
      let victims = Set(rules.victims(scans, now: now))
      for id in victims {
        try db.execute(sql: "DELETE FROM scan WHERE id = ?", arguments: [id])
      }
      return scans.filter { victims.contains($0.id) }
    }
    if vacuum {
      do {
        try pool.vacuum()
      } catch {
        throw .failed(path: path, operation: "VACUUM", reason: ScanStore.reason(error))
      }
    }
    return removed
  }
}
