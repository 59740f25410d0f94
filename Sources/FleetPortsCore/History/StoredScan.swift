/// One stored scan as `fleetports history` lists it: when, and how the fleet fared.
public struct StoredScan: Hashable, Sendable, Codable {
  public var id: Int64
  public var startedAt: String
  /// Seconds since 1970 of `startedAt`.
  public var startedEpoch: Double
  public var finishedAt: String
  public var inventory: String
  public var interrupted: Bool
  public var hostsOK: Int
  public var hostsFailed: Int
  public var hostsNotScanned: Int
  public var listeners: Int
  /// Unsuppressed findings by severity (severities with none are absent).
  public var findings: [Severity: Int]
  /// The fleet and shard the scan was stored with (`ScanOptions.fleet`, `.shard`); nil for
  /// scans stored before fleets were recorded, and `shard` nil for a whole-inventory scan.
  public var fleet: String?
  public var shard: String?

  public init(
    id: Int64, startedAt: String, startedEpoch: Double, finishedAt: String, inventory: String, interrupted: Bool, hostsOK: Int,
    hostsFailed: Int, hostsNotScanned: Int, listeners: Int, findings: [Severity: Int],
    fleet: String? = nil, shard: String? = nil
  ) {
    self.id = id
    self.startedAt = startedAt
    self.startedEpoch = startedEpoch
    self.finishedAt = finishedAt
    self.inventory = inventory
    self.interrupted = interrupted
    self.hostsOK = hostsOK
    self.hostsFailed = hostsFailed
    self.hostsNotScanned = hostsNotScanned
    self.listeners = listeners
    self.findings = findings
    self.fleet = fleet
    self.shard = shard
  }

  /// How diffs and reports name the scan: `#12 (2026-11-25T09:00:00.123Z)`.
  public var label: String { "#\(id) (\(startedAt))" }
}
