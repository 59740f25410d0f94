import ArgumentParser
import FleetPortsCore
import FleetPortsScan
import Foundation

/// `--policy FILE` and `--fail-on SEVERITY`, shared by `scan` and `local`.
struct AnalysisOptions: ParsableArguments {
  @Option(help: "A policy file (YAML, see docs/policy.md): allowed ports per group and host, thresholds, suppressions.")
  var policy: String?

  @Option(help: "Exit with code 1 when an unsuppressed finding of this severity or worse exists: info, low, medium, high or critical.")
  var failOn: Severity?

  /// Reads the policy before anything is scanned; a bad policy is a usage error (exit 2) with file:line:column.
  func loadPolicy() throws -> Policy? {
    guard let policy else { return nil }
    do {
      return try PolicyLoader.load(path: policy)
    } catch {
      throw ValidationError("policy refused: \(error)")
    }
  }

  /// Today in UTC, the day suppressions' expiry dates are compared with.
  static func today(_ now: Date = Date()) -> PolicyDate {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = .gmt
    let parts = calendar.dateComponents([.year, .month, .day], from: now)
    // swift-format-ignore: NeverForceUnwrap
    // The calendar's own components always make a valid date.
    return PolicyDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)!
  }

  /// Whether the scan has unsuppressed findings at or above --fail-on (exit code 1).
  func failed(_ scan: ScanResult) -> Bool {
    guard let failOn else { return false }
    return !scan.failingFindings(atOrAbove: failOn).isEmpty
  }
}

extension Severity: ExpressibleByArgument {}
