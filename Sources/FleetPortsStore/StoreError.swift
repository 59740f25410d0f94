/// Why the scan history could not be opened, read or written; each message names the
/// database and what to do about it.
public enum StoreError: Error, Equatable, CustomStringConvertible {
  /// The database (or its folder) could not be created or opened.
  case cannotOpen(path: String, reason: String)
  /// The folder or file is not private to this user.
  case notPrivate(path: String, reason: String)
  /// A read or write failed (locked for too long, disk full, corrupt file).
  case failed(path: String, operation: String, reason: String)
  /// A stored scan.json no longer decodes (written by a newer fleetports?).
  case unreadableScan(id: Int64, reason: String)
  /// No stored scan has this id.
  case unknownScan(id: Int64, available: [Int64])

  public var description: String {
    switch self {
    case .cannotOpen(let path, let reason):
      return "cannot open the scan history \(path): \(reason); choose another file with --db"
    case .notPrivate(let path, let reason):
      return "the scan history \(path) is not private: \(reason)"
    case .failed(let path, let operation, let reason):
      return "scan history \(path): \(operation) failed: \(reason); try again, or check the disk and the file"
    case .unreadableScan(let id, let reason):
      return "stored scan \(id) cannot be read: \(reason) (was it written by a newer fleetports?)"
    case .unknownScan(let id, let available):
      return "no stored scan \(id); stored scans: \(StoreError.list(available))"
    }
  }

  /// `1, 2, 5-9` style list of ids (or `none`).
  static func list(_ ids: [Int64]) -> String {
    guard !ids.isEmpty else { return "none (run `fleetports scan` first)" }
    var parts: [String] = []
    var start = ids[0]
    var end = ids[0]
    for id in ids.dropFirst() {
      if id == end + 1 {
        end = id
        continue
      }
      parts.append(start == end ? "\(start)" : "\(start)-\(end)")
      (start, end) = (id, id)
    }
    parts.append(start == end ? "\(start)" : "\(start)-\(end)")
    return parts.joined(separator: ", ")
  }
}
