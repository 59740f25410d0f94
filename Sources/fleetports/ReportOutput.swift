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

  func validate() throws {
    _ = try formats()
  }

  /// The formats asked for.
  func formats() throws -> [ReportFormat] {
    do {
      return try ReportFormat.parseList(format)
    } catch {
      throw ValidationError("\(error)")
    }
  }

  /// The destination, its folder created (0700) or checked before anything is scanned: a bad
  /// `--out` is a usage error (exit 2).
  func destination() throws -> ReportDestination {
    let destination = ReportDestination(out: out, formats: try formats())
    do {
      try destination.prepare()
    } catch {
      throw ValidationError("\(error)")
    }
    return destination
  }
}
