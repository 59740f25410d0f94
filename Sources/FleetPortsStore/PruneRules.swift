import FleetPortsCore

/// Which stored scans `fleetports prune` removes. A scan goes only when every rule given
/// says so (beyond the newest `keep`, and older than `olderThanSeconds`), and the newest
/// scan never goes.
public struct PruneRules: Hashable, Sendable {
  /// Keep the newest `keep` scans.
  public var keep: Int?
  /// Remove scans that started more than this many seconds before `now`.
  public var olderThanSeconds: Double?

  public init(keep: Int?, olderThanSeconds: Double?) {
    self.keep = keep
    self.olderThanSeconds = olderThanSeconds
  }

  /// The ids to remove from `scans` (newest first, as `ScanStore.scans()` lists them).
  public func victims(_ scans: [StoredScan], now: Double) -> [Int64] {
    guard keep != nil || olderThanSeconds != nil else { return [] }
    let newestID = scans.map(\.id).max()
    return scans.enumerated().compactMap { rank, scan in
      guard scan.id != newestID else { return nil }
      if let keep, rank < keep { return nil }
      if let olderThanSeconds, scan.startedEpoch >= now - olderThanSeconds { return nil }
      return scan.id
    }
  }
}
