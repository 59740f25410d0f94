import FleetPortsCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Names a scan's folder (default `reports/<UTC timestamp>/`) and its timestamps; the files
/// themselves are written by FleetPortsReport's `ReportWriter` (0600 in a 0700 folder).
public enum ScanArchive {
  public static func defaultFolder(root: String = "reports", startedAt: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    return "\(root)/\(formatter.string(from: startedAt))"
  }

  public static func iso8601(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: date)
  }

  /// Today in UTC, the day policy suppressions' expiry dates are compared with.
  public static func today(_ now: Date = Date()) -> PolicyDate {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
    let parts = calendar.dateComponents([.year, .month, .day], from: now)
    return PolicyDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1) ?? PolicyDate.epoch
  }

}

