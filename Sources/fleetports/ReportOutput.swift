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

  /// Writes the files and returns the path of scan.json, then the others.
  static func write(_ scan: ScanResult, formats: [ReportFormat], out: String?, startedAt: Date) throws -> [String] {
    let folder = out ?? ScanArchive.defaultFolder(startedAt: startedAt)
    let ordered = [ReportFormat.json] + formats.filter { $0 != .json }
    return try ReportWriter.write(scan, formats: ordered, to: folder, updateLatest: out == nil)
  }
}
