extension ScanResult {
  /// This scan cut down to what `ScanDiff` reads: hosts with their status, failure and
  /// listeners (no snapshot: no connections, counters or Unix socket modes), and the
  /// findings. The history keeps it beside scan.json, so the next scan's diff decodes a
  /// fraction of it.
  public func diffBasis() -> ScanResult {
    var basis = self
    basis.changesSinceLast = nil
    basis.analysisNotes = []
    basis.aggregate = nil
    for index in basis.hosts.indices where basis.hosts[index].snapshot != nil {
      basis.hosts[index].listeners = basis.hosts[index].analysedListeners
      basis.hosts[index].snapshot = nil
    }
    return basis
  }
}
