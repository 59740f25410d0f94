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

  /// Writes `scan.json` into `folder` (created 0700) and returns its path. `updateLatest`
  /// points `<parent>/latest` at the folder; only for the default `reports/` root, so a custom
  /// `--out /tmp/x` never plants a `latest` link in someone else's directory.
  @discardableResult
  public static func write(_ scan: ScanResult, to folder: String, updateLatest: Bool = false) throws -> String {
    try createPrivateFolder(folder)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(scan)
    let path = (folder as NSString).appendingPathComponent("scan.json")
    try writePrivate(data, to: path)
    if updateLatest { updateLatestLink(folder) }
    return path
  }

  /// Creates `folder` 0700 (and missing parents 0700). An existing folder is used only when
  /// this user owns it and nobody else can write to it; its mode is never changed.
  static func createPrivateFolder(_ folder: String) throws {
    var info = stat()
    if lstat(folder, &info) == 0 {
      guard info.st_mode & S_IFMT == S_IFDIR else { throw ScanArchiveError.notAFolder(folder) }
      guard info.st_uid == geteuid() else { throw ScanArchiveError.notOwned(folder) }
      guard info.st_mode & 0o022 == 0 else { throw ScanArchiveError.writableByOthers(folder) }
      return
    }
    let parent = (folder as NSString).deletingLastPathComponent
    if !parent.isEmpty && !FileManager.default.fileExists(atPath: parent) {
      try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
    guard mkdir(folder, 0o700) == 0 else { throw ScanArchiveError.cannotCreate(folder, errno: errno) }
    chmod(folder, 0o700)  // ours, just made: undo whatever the umask did
  }

  /// Creates the file 0600 from the start (no window where it is world-readable), never
  /// through a symbolic link, then renames it into place.
  static func writePrivate(_ data: Data, to path: String) throws {
    let temporary = path + ".tmp"
    let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
    var fd = open(temporary, flags, 0o600)
    if fd < 0 && errno == EEXIST {
      unlink(temporary)  // a stale temporary (or a planted link: unlink removes the link itself)
      fd = open(temporary, flags, 0o600)
    }
    guard fd >= 0 else { throw ScanArchiveError.cannotWrite(path, errno: errno) }
    var offset = 0
    let bytes = [UInt8](data)
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if written <= 0 {
        let code = errno
        close(fd)
        unlink(temporary)
        throw ScanArchiveError.cannotWrite(path, errno: code)
      }
      offset += written
    }
    fsync(fd)
    close(fd)
    guard rename(temporary, path) == 0 else {
      let code = errno
      unlink(temporary)
      throw ScanArchiveError.cannotWrite(path, errno: code)
    }
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

/// Why a scan's files could not be written, with what to do about it.
public enum ScanArchiveError: Error, CustomStringConvertible {
  case notAFolder(String)
  case notOwned(String)
  case writableByOthers(String)
  case cannotCreate(String, errno: Int32)
  case cannotWrite(String, errno: Int32)

  public var description: String {
    switch self {
    case .notAFolder(let path): return "\(path) exists and is not a folder; choose another --out"
    case .notOwned(let path): return "\(path) belongs to another user; reports map the fleet's attack surface, so choose a folder of your own with --out"
    case .writableByOthers(let path): return "\(path) can be written by other users; choose a private folder with --out (or chmod go-w it)"
    case .cannotCreate(let path, let code): return "cannot create \(path): \(String(cString: strerror(code)))"
    case .cannotWrite(let path, let code): return "cannot write \(path): \(String(cString: strerror(code)))"
    }
  }
}
