import Foundation

/// scan.json's ISO 8601 timestamps as seconds since 1970, for age comparisons.
public enum StoreDates {
  /// `2026-11-25T09:00:00.123Z` (fractional seconds optional); now when it does not parse.
  public static func epoch(_ text: String) -> Double {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = formatter.date(from: text) { return date.timeIntervalSince1970 }
    formatter.formatOptions = [.withInternetDateTime]
    return (formatter.date(from: text) ?? Date()).timeIntervalSince1970
  }
}
