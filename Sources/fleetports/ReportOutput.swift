import ArgumentParser
import FleetPortsCore
import FleetPortsReport
import FleetPortsScan
import Foundation

/// `--out` and `--format`: where a scan's files go and in which formats, shared by `scan`
/// and `local`. scan.json is always written: it is the record every other format comes from.
struct ReportOutput: ParsableArguments {
  @Option(help: "The folder for this scan's files. Default: reports/<UTC timestamp>.")
  var out: String?

  @Option(help: "Report formats, comma separated: html, md, json, sarif, junit. scan.json is always written.")
  var format: String = "html,md,json"

  /// Exit code when the scan ran but its files could not all be written (disk full, …).
  static let writeFailure = ExitCode(5)

  func validate() throws {
    _ = try formats()
  }

  /// The formats asked for, scan.json first.
  func formats() throws -> [ReportFormat] {
    do {
      let asked = try ReportFormat.parseList(format)
      return [.json] + asked.filter { $0 != .json }
    } catch {
      throw ValidationError("\(error)")
    }
  }

  /// The folder a scan started at `startedAt` writes to.
  func folder(startedAt: Date) -> String {
    out ?? ScanArchive.defaultFolder(startedAt: startedAt)
  }

  /// Checks (or creates) the folder before scanning: a bad `--out` is a usage error (exit 2).
  func prepare(startedAt: Date) throws {
    do {
      try ReportWriter.prepare(folder: folder(startedAt: startedAt))
    } catch {
      throw ValidationError("\(error)")
    }
  }

  /// Writes the files and returns their paths (scan.json first); a failure to write is
  /// reported here and the caller ends with `writeFailure` after printing the summary.
  func write(_ scan: ScanResult, json: [UInt8]?, startedAt: Date) throws -> (paths: [String], failed: Bool) {
    let formats = try formats()
    do {
      return (try ReportWriter.write(scan, formats: formats, to: folder(startedAt: startedAt), updateLatest: out == nil, scanJSON: json), false)
    } catch {
      FileOutput.standardError("fleetports: could not write the reports: \(error)\n")
      return ([], true)
    }
  }
}
