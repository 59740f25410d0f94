import FleetPortsCore
import FleetPortsFiles

/// Writes a scan's files into one folder (created 0700; every file 0600 from the start):
/// scan.json and the reports. The one place fleetports writes reports.
public enum ReportWriter {
  /// Writes each format's file into `folder` and returns their paths, in `formats` order.
  /// `updateLatest` points `<parent>/latest` at the folder: only for the default `reports/`
  /// root, so a custom `--out` never plants a link in someone else's directory.
  /// `scanJSONWritten`: scan.json is in the folder already (the history wrote it while storing
  /// the scan, `scanJSONFile(in:)`), so only its path is listed. `trend` is the inventory's
  /// history ending with this scan (`ScanStore.trend`); nil: the reports show this scan's
  /// numbers alone.
  @discardableResult
  public static func write(
    _ scan: ScanResult, formats: [ReportFormat], to folder: String, updateLatest: Bool = false, scanJSONWritten: Bool = false,
    trend: ScanTrend? = nil
  ) throws -> [String] {
    try PrivateFiles.createFolder(folder)
    let facts = ReportFacts(scan, trend: trend)
    // One format at a time, each written and let go before the next is rendered: a
    // 1,000-host scan's reports are a few MB each (more while rendered), and holding them all
    // at once set the scan's peak memory; scan.json (≈ 60 MB) goes to its file as it is
    // encoded, a MiB at a time. scan.json first, and every format that renders is written
    // even if another failed: a scan's record must never be lost to a report's problem.
    var written: [Int: String] = [:]
    var firstError: (any Error)?
    let order = formats.indices.sorted { (formats[$0] == .json ? 0 : 1, $0) < (formats[$1] == .json ? 0 : 1, $1) }
    for index in order {
      let format = formats[index]
      let path = filePath(folder, format)
      do {
        if format == .json {
          if !scanJSONWritten { try writeScanJSON(scan, to: path) }
        } else {
          try PrivateFiles.write(try render(format, facts: facts), to: path)
        }
        written[index] = path
      } catch {
        if firstError == nil { firstError = error }
      }
    }
    if let firstError { throw firstError }
    let paths = formats.indices.compactMap { written[$0] }
    if updateLatest { PrivateFiles.updateLatestLink(folder) }
    return paths
  }

  /// scan.json of `folder`, opened for writing as it is encoded (`ScanStore.save(_:amend:spoolingScanJSONTo:)`
  /// writes it while storing the scan); `commit` puts it in place.
  /// - Throws: `ReportError.writeFailed` when it cannot be created.
  public static func scanJSONFile(in folder: String) throws(ReportError) -> PrivateFile {
    try PrivateFiles.createFolder(folder)
    do {
      return try PrivateFile(creating: filePath(folder, .json))
    } catch {
      throw .writeFailed(path: error.path, reason: error.reason)
    }
  }

  static func filePath(_ folder: String, _ format: ReportFormat) -> String {
    folder.hasSuffix("/") ? folder + format.fileName : folder + "/" + format.fileName
  }

  /// scan.json streamed into its file: never whole in memory.
  static func writeScanJSON(_ scan: ScanResult, to path: String) throws {
    do {
      let file = try PrivateFile(creating: path)
      try ScanJSON.encode(scan) { chunk in try file.append(chunk) }
      try file.commit()
    } catch let error as PrivateFile.Failure {
      throw ReportError.writeFailed(path: error.path, reason: error.reason)
    }
  }

  /// Creates `folder` (0700) or checks an existing one is private to this user, before a scan
  /// starts, so a bad `--out` is refused before any host is contacted.
  public static func prepare(folder: String) throws {
    try PrivateFiles.createFolder(folder)
  }

  /// One format's bytes, without touching the file system; `trend` as for `write`.
  public static func render(_ scan: ScanResult, format: ReportFormat, trend: ScanTrend? = nil) throws -> [UInt8] {
    try render(format, facts: ReportFacts(scan, trend: trend))
  }

  static func render(_ format: ReportFormat, facts: ReportFacts) throws -> [UInt8] {
    switch format {
    case .html: return Array(try HTMLReport.render(facts).utf8)
    case .md: return Array(MarkdownReport.render(facts).utf8)
    case .json: return try ScanJSON.encode(facts.scan)
    case .sarif: return try SARIFReport.render(facts)
    case .junit: return Array(JUnitReport.render(facts).utf8)
    }
  }
}
