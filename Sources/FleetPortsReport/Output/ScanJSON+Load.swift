import FleetPortsCore
import Foundation

/// Reading scan.json from disk; its encoding is `ScanJSON.encode` in FleetPortsCore.
extension ScanJSON {
  /// Reads a scan: `path` is a scan folder (holding scan.json), a `latest` link, or scan.json itself.
  public static func load(_ path: String) throws(ReportError) -> (scan: ScanResult, file: String) {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw .unreadableScan(path: path, reason: "no such file or folder")
    }
    let file = isFolder.boolValue ? (path as NSString).appendingPathComponent("scan.json") : path
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: file))
    } catch {
      throw .unreadableScan(path: file, reason: FileManager.default.fileExists(atPath: file) ? "permission denied or unreadable" : "no scan.json there")
    }
    do {
      return (try JSONDecoder().decode(ScanResult.self, from: data), file)
    } catch let error as DecodingError {
      throw .invalidScan(path: file, reason: describe(error))
    } catch {
      throw .invalidScan(path: file, reason: "\(error)")
    }
  }

  static func describe(_ error: DecodingError) -> String {
    func at(_ path: [any CodingKey]) -> String {
      path.isEmpty ? "the top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .dataCorrupted(let context): return "not valid JSON at \(at(context.codingPath)): \(context.debugDescription)"
    case .keyNotFound(let key, let context): return "missing \(key.stringValue) at \(at(context.codingPath))"
    case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(context.debugDescription) at \(at(context.codingPath))"
    @unknown default: return "\(error)"
    }
  }
}
