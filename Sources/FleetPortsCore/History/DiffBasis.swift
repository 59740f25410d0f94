extension ScanResult {
  /// This scan cut down to what `ScanDiff` reads: hosts with their status, failure, addresses
  /// and listeners only (no connections, counters or Unix socket modes), and the findings.
  /// The history keeps it beside scan.json, so the next scan's diff decodes a fraction of it.
  public func diffBasis() -> ScanResult {
    var basis = self
    basis.changesSinceLast = nil
    basis.analysisNotes = []
    basis.aggregate = nil
    for index in basis.hosts.indices {
      guard var snapshot = basis.hosts[index].snapshot else { continue }
      snapshot.sockets = snapshot.listeners
      snapshot.counters = KernelCounters()
      snapshot.unixSocketModes = []
      basis.hosts[index].snapshot = snapshot
    }
    return basis
  }
}
