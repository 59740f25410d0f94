#if canImport(Glibc)
  import Glibc
#endif

/// One file written the private way, in pieces: created 0600 under `<path>.tmp` (O_EXCL,
/// O_NOFOLLOW: never through a link someone planted there), written as the bytes come, and
/// renamed to `path` by `commit` only once it is whole, so a reader never sees half a file.
/// scan.json goes through it as it is encoded, and the history copies its row from it.
///
///     let file = try PrivateFile(creating: "reports/x/scan.json")
///     try file.append(chunk)           // as often as needed
///     try file.commit()                // or file.abandon()
public final class PrivateFile {
  /// Why a private file could not be written: the path and the system's words.
  public struct Failure: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }

    public init(path: String, reason: String) {
      self.path = path
      self.reason = reason
    }
  }

  /// Where the file ends up.
  public let path: String
  /// Bytes written so far.
  public private(set) var size = 0
  var fd: Int32
  var temporary: String { path + ".tmp" }

  /// Creates `<path>.tmp` 0600, replacing a stale one (a crashed run's).
  /// - Throws: `Failure` with the system's reason.
  public init(creating path: String) throws(Failure) {
    self.path = path
    unlink(path + ".tmp")
    fd = open(path + ".tmp", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
  }

  deinit { abandon() }

  /// Appends `bytes` (one `write` call for as much as the kernel takes at once).
  /// - Throws: `Failure`; the file is then abandoned.
  public func append(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
    guard fd >= 0 else { throw Failure(path: path, reason: "already closed") }
    var offset = 0
    while offset < bytes.count {
      let written = write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
      if written < 0 && errno == EINTR { continue }
      if written <= 0 {
        let reason = written == 0 ? "nothing written" : String(cString: strerror(errno))
        abandon()
        throw Failure(path: path, reason: reason)
      }
      offset += written
    }
    size += bytes.count
  }

  /// Appends `bytes`.
  /// - Throws: `Failure`; the file is then abandoned.
  public func append(_ bytes: [UInt8]) throws(Failure) {
    var failure: Failure?
    bytes.withUnsafeBytes { buffer in
      do throws(Failure) { try append(buffer) } catch { failure = error }
    }
    if let failure { throw failure }
  }

  /// Reads up to `buffer.count` bytes at `offset` of what was written (the history copies
  /// scan.json into its row from here); returns how many were read.
  /// - Throws: `Failure` with the system's reason.
  public func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(Failure) -> Int {
    while true {
      let n = pread(fd, buffer.baseAddress, buffer.count, off_t(offset))
      if n < 0 && errno == EINTR { continue }
      guard n >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
      return n
    }
  }

  /// Makes the file durable (fsync) and puts it in place under `path`.
  /// - Throws: `Failure`; the temporary file is removed.
  public func commit() throws(Failure) {
    guard fd >= 0 else { throw Failure(path: path, reason: "already closed") }
    fchmod(fd, 0o600)
    // A write the disk could not keep (ENOSPC, EIO, an NFS server's quota) may only show here.
    let unsynced = fsync(fd) == 0 ? nil : String(cString: strerror(errno))
    let unclosed = close(fd) == 0 ? nil : String(cString: strerror(errno))
    fd = -1
    if let reason = unsynced ?? unclosed {
      unlink(temporary)
      throw Failure(path: path, reason: reason)
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw Failure(path: path, reason: reason)
    }
  }

  /// Closes and removes the temporary file; `path` is left as it was. Nothing once committed.
  public func abandon() {
    guard fd >= 0 else { return }
    close(fd)
    fd = -1
    unlink(temporary)
  }
}
