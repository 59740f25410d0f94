import FleetPortsCore

/// Writes a scan's files into one folder (created 0700; every file 0600 from the start):
/// scan.json and the reports. The one place fleetports writes reports.
public enum ReportWriter {
  /// Writes each format's file into `folder` and returns their paths, in `formats` order.
  /// `updateLatest` points `<parent>/latest` at the folder: only for the default `reports/`
  /// root, so a custom `--out` never plants a link in someone else's directory. `scanJSON`,
  /// when given, is `ScanJSON.encode(scan)` already done (the history store encodes it too).
  /// `trend` is the inventory's history ending with this scan (`ScanStore.trend`); nil: the
  /// reports show this scan's numbers alone.
  @discardableResult
  public static func write(
    _ scan: ScanResult, formats: [ReportFormat], to folder: String, updateLatest: Bool = false, scanJSON: consuming [UInt8]? = nil,
    trend: ScanTrend? = nil
  ) throws -> [String] {
    // Owned here and let go once written: a 1,000-host scan.json is ≈ 60 MB, which must not
    // stay resident while the other reports render.
    var scanJSON = scanJSON
    try PrivateFiles.createFolder(folder)
    let facts = ReportFacts(scan, trend: trend)
    // One format at a time, each written and let go before the next is rendered: a
    // 1,000-host scan's reports are a few MB each (more while rendered), scan.json 60 MB, and
    // holding them all at once set the scan's peak memory. scan.json first, and every format
    // that renders is written even if another failed: a scan's record must never be lost to a
    // report's problem.
    var written: [Int: String] = [:]
    var firstError: (any Error)?
    let order = formats.indices.sorted { (formats[$0] == .json ? 0 : 1, $0) < (formats[$1] == .json ? 0 : 1, $1) }
    for index in order {
      let format = formats[index]
      let path = folder.hasSuffix("/") ? folder + format.fileName : folder + "/" + format.fileName
      do {
        let bytes = try format == .json ? scanJSON ?? render(.json, facts: facts) : render(format, facts: facts)
        if format == .json { scanJSON = nil }
        try PrivateFiles.write(bytes, to: path)
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
