import Foundation

/// Reads a whole file, devices such as /dev/null included (FileManager's `contents(atPath:)`
/// says nil for those). nil when it cannot be opened or read.
enum FileContents {
  static func read(_ path: String) -> Data? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    return try? handle.readToEnd() ?? Data()
  }
}
