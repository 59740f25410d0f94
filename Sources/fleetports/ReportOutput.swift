import ArgumentParser
import FleetPortsCore
import FleetPortsReport
import FleetPortsScan
import Foundation

/// Where a scan's files go and in which formats: shared by `scan` and `local`.
/// scan.json is always written: it is the record every other format is rendered from.
enum ReportOutput {
  static let defaultFormats = "html,md,json"

  static func formats(_ text: String) throws -> [ReportFormat] {
    var formats = try ReportFormat.parseList(text)
    if !formats.contains(.json) { formats.insert(.json, at: 0) }
    return formats
  }

  /// The folder a scan started at `startedAt` writes to.
  static func folder(out: String?, startedAt: Date) -> String {
    out ?? ScanArchive.defaultFolder(startedAt: startedAt)
  }

  /// Checks (or creates) the folder before scanning: a bad `--out` is a usage error (exit 2).
  static func prepare(out: String?, startedAt: Date) throws {
    do {
      try ReportWriter.prepare(folder: folder(out: out, startedAt: startedAt))
    } catch {
      throw ValidationError("\(error)")
    }
  }

  /// Exit code when the scan ran but its files could not all be written (disk full, …).
  static let writeFailure = ExitCode(5)

  /// Writes the files and returns the path of scan.json, then the others; a failure to
  /// write is reported and ends the command with exit 5 (the summary is still printed).
  static func write(_ scan: ScanResult, formats: [ReportFormat], out: String?, startedAt: Date) -> (paths: [String], failed: Bool) {
    let ordered = [ReportFormat.json] + formats.filter { $0 != .json }
    do {
      return (try ReportWriter.write(scan, formats: ordered, to: folder(out: out, startedAt: startedAt), updateLatest: out == nil), false)
    } catch {
      FileOutput.standardError("fleetports: could not write the reports: \(error)\n")
      return ([], true)
    }
  }
}
