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

  public init(
    id: Int64, startedAt: String, startedEpoch: Double, finishedAt: String, inventory: String, interrupted: Bool, hostsOK: Int,
    hostsFailed: Int, hostsNotScanned: Int, listeners: Int, findings: [Severity: Int]
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
  }

  /// How diffs and reports name the scan: `#12 (2026-11-25T09:00:00.123Z)`.
  public var label: String { "#\(id) (\(startedAt))" }
}
