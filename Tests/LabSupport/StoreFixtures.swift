import FleetPortsCore
import Foundation

/// Scans and scratch databases for the history store tests (SQLite and PostgreSQL alike).
public enum StoreFixtures {
  /// The report tests' fleet scan (6 hosts: ok, failed, not scanned; findings).
  public static func fleet() throws -> ScanResult {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("FleetPortsReportTests/Fixtures/fleet.scan.json").path
    return try JSONDecoder().decode(ScanResult.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// The fleet scan started `secondsAgo` before now (history queries compare start times).
  public static func fleet(startedSecondsAgo secondsAgo: Double, inventory: String = "inventory/lab.txt") throws -> ScanResult {
    var scan = try fleet()
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    scan.startedAt = formatter.string(from: Date(timeIntervalSinceNow: -secondsAgo))
    scan.finishedAt = scan.startedAt
    scan.options.inventory = inventory
    return scan
  }

  /// A fresh private folder; the database goes inside it.
  public static func scratch() throws -> String {
    let dir = NSTemporaryDirectory() + "fleetports-store-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    return dir
  }
}
