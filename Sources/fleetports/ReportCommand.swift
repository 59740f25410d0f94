import ArgumentParser
import FleetPortsCore
import FleetPortsReport
import FleetPortsScan
import FleetPortsStore
import Foundation

/// `fleetports report [SCAN]`: re-render a stored scan's reports from its scan.json.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Re-render the reports of a stored scan.",
    discussion: """
      Reads SCAN (a scan folder, a `latest` link, or a scan.json) and writes report.html, \
      report.md, report.sarif and report.junit.xml (mode 0600) into --out, by default the \
      scan's own folder. With --out elsewhere scan.json is copied too, so the folder stands alone.

      SCAN may also be a stored scan id (`fleetports history` lists them): the scan is rendered \
      from the scan.json kept in the history (--db), into --out or by default the folder the scan \
      wrote (reports/<its UTC start time>), scan.json included.

      --fleet NAME merges the newest scan of every shard of a fleet scanned with `scan --shard` \
      (or --shard-group) into one report, each host marked with its shard and scan time; a \
      shard that is missing, or older than --max-shard-age, is called out in the report and on \
      standard error. Written into --out, by default reports/fleet-NAME.

      Exit codes: 0 written; 2 usage error (unknown format, unreadable or invalid scan.json, \
      unknown scan id: the stored ones are listed); \
      1 a report could not be written.
      """
  )

  @Argument(help: "A scan folder, scan.json, or a stored scan id.")
  var scan: String = "reports/latest"

  @Option(help: "Formats, comma separated: html, md, json, sarif, junit. Default: all but json (json too with --out elsewhere).")
  var format: String?

  @Option(help: "The folder to write into. Default: the scan's folder.")
  var out: String?

  @OptionGroup var database: StoreOptions

  @OptionGroup var fleetView: FleetOptions

  @Flag(help: "Also print the scan's findings, every one under its rule.")
  var verbose = false

  func validate() throws {
    if let format {
      do {
        _ = try ReportFormat.parseList(format)
      } catch {
        throw ValidationError("--format: \(error)")
      }
    }
    if let fleet = fleetView.fleet, scan != "reports/latest" {
      throw ValidationError("--fleet \(fleet) renders the fleet's shards from the history: give no SCAN (\(scan)) with it")
    }
  }

  func run() throws {
    if let fleet = fleetView.fleet { return try renderFleet(fleet) }
    if let id = storedID { return try renderStored(id) }
    let loaded: (scan: ScanResult, file: String)
    do {
      loaded = try ScanJSON.load(scan)
    } catch {
      throw ValidationError(error.description)
    }
    let sourceFolder = (loaded.file as NSString).deletingLastPathComponent
    let folder = resolved(out ?? (sourceFolder.isEmpty ? "." : sourceFolder))
    let sameFolder = folder == resolved(sourceFolder.isEmpty ? "." : sourceFolder)
    var formats: [ReportFormat] = [.html, .md, .sarif, .junit]
    if let format {
      formats = try ReportFormat.parseList(format)
    } else if !sameFolder {
      formats.append(.json)
    }
    let paths: [String]
    do {
      paths = try ReportWriter.write(loaded.scan, formats: formats, to: folder, trend: historyTrend(of: loaded.scan))
    } catch {
      FileOutput.standardError("fleetports report: \(error)\n")
      throw ExitCode(1)
    }
    FileOutput.standardOutput(paths.map { "\($0)\n" }.joined())
    if verbose { FileOutput.standardOutput(FindingsText.render(loaded.scan, failOn: nil, verbose: true)) }
  }

  /// SCAN as a stored scan id: digits (or `#12`) that name no file or folder here.
  var storedID: Int64? {
    let digits = scan.hasPrefix("#") ? String(scan.dropFirst()) : scan
    guard let id = Int64(digits), id > 0, !FileManager.default.fileExists(atPath: scan) else { return nil }
    return id
  }

  /// Renders a scan from the history: every format asked for (all, scan.json included, by default).
  func renderStored(_ id: Int64) throws {
    let history = try database.open()
    let summary = try StoreOptions.summary(id, store: history)
    let stored: ScanResult
    do {
      stored = try history.scan(id: id)
    } catch {
      throw ValidationError(error.description)
    }
    let formats = try format.map(ReportFormat.parseList) ?? [.json, .html, .md, .sarif, .junit]
    let folder = out ?? ScanArchive.defaultFolder(startedAt: Date(timeIntervalSince1970: summary.startedEpoch))
    let paths: [String]
    let trend = try? history.trend(
      inventory: stored.options.inventory, shard: stored.options.shard, throughID: id, limit: ScanTrend.maxPoints)
    do {
      paths = try ReportWriter.write(stored, formats: formats, to: folder, trend: trend?.ending(with: stored, scanID: id))
    } catch {
      FileOutput.standardError("fleetports report: \(error)\n")
      throw ExitCode(1)
    }
    FileOutput.standardOutput(paths.map { "\($0)\n" }.joined())
    if verbose { FileOutput.standardOutput(FindingsText.render(stored, failOn: nil, verbose: true)) }
  }

  /// Renders the fleet view: every format asked for (all, scan.json included, by default),
  /// then the shards it was made of on standard output.
  func renderFleet(_ fleet: String) throws {
    let history = try database.open()
    let maxAge = fleetView.maxShardAge.flatMap(HistoryDuration.seconds)
    let merged = try FleetOptions.view(fleet, rank: 0, throughID: fleetView.through, maxAgeSeconds: maxAge, history: history, warn: true).scan
    let formats = try format.map(ReportFormat.parseList) ?? [.json, .html, .md, .sarif, .junit]
    let folder = out ?? "reports/fleet-\(FleetViewText.fileSafe(fleet))"
    let paths: [String]
    do {
      paths = try ReportWriter.write(merged, formats: formats, to: folder, trend: nil)
    } catch {
      FileOutput.standardError("fleetports report: \(error)\n")
      throw ExitCode(1)
    }
    if let view = merged.fleetView { FileOutput.standardOutput(FleetViewText.terminal(view)) }
    FileOutput.standardOutput(paths.map { "\($0)\n" }.joined())
    if verbose { FileOutput.standardOutput(FindingsText.render(merged, failOn: nil, verbose: true)) }
  }

  /// The trend of a scan.json's inventory from the history (--db), when that database exists:
  /// the scans that started before it, then its own numbers. Opening never creates a database
  /// here, and a history that cannot be read only costs the chart.
  func historyTrend(of scan: ScanResult) -> ScanTrend? {
    guard let history = database.openIfPresent(),
      let trend = try? history.trend(inventory: scan.options.inventory, shard: scan.options.shard, throughID: nil, limit: ScanTrend.maxPoints)
    else { return nil }
    return trend.ending(with: scan, scanID: nil)
  }

  /// The real path of an existing folder (so `reports/latest` is written through, not replaced).
  func resolved(_ path: String) -> String {
    guard let real = realpath(path, nil) else { return path }
    defer { free(real) }
    return String(cString: real)
  }
}
