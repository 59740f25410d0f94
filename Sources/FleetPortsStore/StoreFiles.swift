import FleetPortsFiles
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The database maps the fleet's attack surface, so it follows the reports' rules: its
/// folder 0700 (an existing one only when ours and not writable by others), the file 0600
/// from the start. SQLite gives its -wal and -shm files the database file's mode.
enum StoreFiles {
  /// Creates the folder holding `path` (0700) or checks an existing one, then creates the
  /// file 0600 when missing or checks it is ours, a regular file, and takes its mode to 0600.
  static func prepare(_ path: String) throws(StoreError) {
    let parent = (path as NSString).deletingLastPathComponent
    try prepareFolder(parent.isEmpty ? "." : parent, database: path)
    var info = stat()
    if lstat(path, &info) == 0 {
      guard info.st_mode & S_IFMT == S_IFREG else {
        throw .cannotOpen(path: path, reason: "it is not a regular file (a link or a folder)")
      }
      guard info.st_uid == geteuid() else {
        throw .notPrivate(path: path, reason: "it belongs to another user; use a database of your own with --db")
      }
      if info.st_mode & 0o077 != 0 { chmod(path, 0o600) }
      return
    }
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      if errno == EEXIST { return }  // another fleetports created it just now
      throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
    }
    fchmod(fd, 0o600)
    close(fd)
  }

  /// Runs `body` holding an exclusive flock(2) on the database file, so processes opening it
  /// at once take turns switching it to WAL and migrating it (SQLite answers "database is
  /// locked" at once to a second connection changing the journal mode, without waiting).
  /// flock is independent of the fcntl locks SQLite itself takes on the same file.
  static func whileOpening<T>(_ path: String, _ body: () throws(StoreError) -> T) throws(StoreError) -> T {
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
    defer { flock(fd, LOCK_UN) }
    return try body()
  }

  static func prepareFolder(_ folder: String, database: String) throws(StoreError) {
    if let problem = PrivateFolder.problem(folder, option: "--db") {
      throw .notPrivate(path: database, reason: "its folder \(folder): \(problem)")
    }
  }
}
