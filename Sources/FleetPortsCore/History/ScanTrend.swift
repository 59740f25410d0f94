/// The exposure of one inventory over its stored scans, oldest first: what the report's trend
/// chart draws. Made by the history store (`ScanStore.trend`) and handed to the reports as a
/// value, so the renderers never read the database.
public struct ScanTrend: Hashable, Sendable, Codable {
  /// One stored scan's numbers.
  public struct Point: Hashable, Sendable, Codable {
    /// The scan's id in the history (`#12`); nil for a scan that is not stored.
    public var scanID: Int64?
    /// ISO 8601 UTC, as in scan.json.
    public var startedAt: String
    /// IP listeners (TCP, UDP, raw …) whose reach is wider than loopback, summed over the hosts.
    public var listenersBeyondLoopback: Int
    /// Unsuppressed findings by severity (severities with none may be absent).
    public var findings: [Severity: Int]

    public init(scanID: Int64?, startedAt: String, listenersBeyondLoopback: Int, findings: [Severity: Int]) {
      self.scanID = scanID
      self.startedAt = startedAt
      self.listenersBeyondLoopback = listenersBeyondLoopback
      self.findings = findings
    }

    /// Unsuppressed findings of every severity.
    public var findingTotal: Int { findings.values.reduce(0, +) }

    /// `#12`, or `this scan` for a scan not stored.
    public var label: String { scanID.map { "#\($0)" } ?? "this scan" }
  }

  /// Oldest first; at most `ScanTrend.maxPoints`.
  public var points: [Point]

  /// How many scans the trend covers at most (the "last 30 scans").
  public static let maxPoints = 30

  public init(points: [Point]) {
    self.points = Array(points.suffix(ScanTrend.maxPoints))
  }

  /// The one-point trend of a scan that is not in a history: its own numbers, from the
  /// fleet aggregate and its findings (nothing recounted from sockets).
  public static func single(_ scan: ScanResult, scanID: Int64? = nil) -> ScanTrend {
    ScanTrend(points: [point(scan, scanID: scanID)])
  }

  /// A scan's own point.
  public static func point(_ scan: ScanResult, scanID: Int64? = nil) -> Point {
    let reach = scan.fleetAggregate.reach
    var findings: [Severity: Int] = [:]
    for finding in scan.findings where finding.suppressed == nil { findings[finding.severity, default: 0] += 1 }
    return Point(
      scanID: scanID, startedAt: scan.startedAt, listenersBeyondLoopback: reach.public + reach.privateNetwork + reach.linkLocal,
      findings: findings)
  }

  /// This trend with `scan`'s point last, in place of a point of the same scan id (or the same
  /// start time when it has no id): so a report always ends its trend with the scan it shows.
  public func ending(with scan: ScanResult, scanID: Int64?) -> ScanTrend {
    let own = ScanTrend.point(scan, scanID: scanID)
    var kept = points.filter { point in
      if let scanID, let id = point.scanID { return id < scanID }
      return point.startedAt < scan.startedAt
    }
    kept.append(own)
    return ScanTrend(points: kept)
  }
}
