/// Why a report could not be read or written; each message names the path and what to do.
public enum ReportError: Error, Equatable, CustomStringConvertible {
  /// The scan.json (or folder) could not be read.
  case unreadableScan(path: String, reason: String)
  /// The file was read but is not a scan.json this version understands.
  case invalidScan(path: String, reason: String)
  /// A folder or file could not be created or written.
  case writeFailed(path: String, reason: String)
  /// A template is missing or does not parse (a packaging problem, not the user's).
  case template(name: String, reason: String)

  public var description: String {
    switch self {
    case .unreadableScan(let path, let reason):
      return "cannot read scan \(path): \(reason); pass a scan folder or its scan.json"
    case .invalidScan(let path, let reason):
      return "\(path) is not a readable scan.json: \(reason)"
    case .writeFailed(let path, let reason):
      return "cannot write \(path): \(reason); check the folder exists and is writable"
    case .template(let name, let reason):
      return "report template \(name) is broken: \(reason) (reinstall fleetports)"
    }
  }
}
