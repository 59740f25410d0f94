import FleetPortsCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writes a scan's files: a 0700 folder (default `reports/<UTC timestamp>/`) holding
/// `scan.json` with mode 0600, since a report maps the fleet's attack surface, and
/// `reports/latest` pointing at the newest scan's folder.
public enum ScanArchive {
  public static func defaultFolder(root: String = "reports", startedAt: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    return "\(root)/\(formatter.string(from: startedAt))"
  }

  public static func iso8601(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.string(from: date)
  }

  /// Writes `scan.json` into `folder` (created 0700) and returns its path.
  @discardableResult
  public static func write(_ scan: ScanResult, to folder: String) throws -> String {
    try createPrivateFolder(folder)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(scan)
    let path = (folder as NSString).appendingPathComponent("scan.json")
    try writePrivate(data, to: path)
    updateLatestLink(folder)
    return path
  }

  static func createPrivateFolder(_ folder: String) throws {
    let parent = (folder as NSString).deletingLastPathComponent
    if !parent.isEmpty && !FileManager.default.fileExists(atPath: parent) {
      try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
    if !FileManager.default.fileExists(atPath: folder) {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    }
    chmod(folder, 0o700)
  }

  /// Creates the file 0600 from the start (no window where it is world-readable).
  static func writePrivate(_ data: Data, to path: String) throws {
    let temporary = path + ".tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
    var offset = 0
    let bytes = [UInt8](data)
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if written <= 0 {
        close(fd)
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
      }
      offset += written
    }
    fchmod(fd, 0o600)
    close(fd)
    guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
  }

  static func updateLatestLink(_ folder: String) {
    let parent = (folder as NSString).deletingLastPathComponent
    let link = ((parent.isEmpty ? "." : parent) as NSString).appendingPathComponent("latest")
    let target = (folder as NSString).lastPathComponent
    unlink(link + ".new")
    guard symlink(target, link + ".new") == 0 else { return }
    rename(link + ".new", link)
  }
}
