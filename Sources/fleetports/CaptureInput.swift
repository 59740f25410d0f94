import ArgumentParser

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The bytes `fleetports parse` reads: a regular file (or standard input redirected from one)
/// read into one allocation of its size (not zeroed, one copy from the page cache), anything
/// else (a pipe) into one buffer that doubles from 1 MiB. Not mapped: a capture truncated while
/// mapped (log rotation's copytruncate, a tool rewriting its output) would kill the process with
/// SIGBUS, and a parser never crashes. The bytes stay valid until `release()`.
struct CaptureInput {
  /// The whole capture.
  let bytes: UnsafeBufferPointer<UInt8>

  /// Opens `path` (standard input when nil) and takes in all of it; a capture larger than
  /// `limit` bytes is refused. Throws `ValidationError` naming the file and the system's reason.
  init(path: String?, limit: Int) throws {
    let name = path ?? "standard input"
    let fd: Int32
    if let path {
      fd = open(path, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else { throw ValidationError("cannot open \(path): \(String(cString: strerror(errno)))") }
    } else {
      fd = 0
    }
    defer { if fd != 0 { close(fd) } }
    // lseek, not fstat, for the size: `stat`'s fields belong to whichever C module included
    // <sys/stat.h> first, and MemberImportVisibility then wants that module imported (a
    // release build failed on it). A pipe cannot seek: it starts at 1 MiB and doubles.
    let here = lseek(fd, 0, SEEK_CUR)
    let end = here >= 0 ? lseek(fd, 0, SEEK_END) : -1
    if here >= 0 { _ = lseek(fd, here, SEEK_SET) }
    var capacity = 1 << 20
    if end > here {
      let size = Int(end - here)
      guard size <= limit else { throw Self.tooLarge(limit) }
      // One byte more than the file, so a file that grew meanwhile is still read to its end.
      capacity = max(capacity, size + 1)
    }
    bytes = UnsafeBufferPointer(try Self.readAll(fd, name: name, limit: limit, capacity: capacity))
  }

  /// Frees the bytes.
  func release() {
    bytes.baseAddress.map { UnsafeMutablePointer(mutating: $0).deallocate() }
  }

  /// Reads `fd` to its end into one allocation of `capacity` bytes that doubles as it fills.
  private static func readAll(_ fd: Int32, name: String, limit: Int, capacity: Int) throws -> UnsafeMutableBufferPointer<UInt8> {
    var buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: capacity)
    var count = 0
    while true {
      if count == buffer.count {
        guard buffer.count <= limit else {
          buffer.deallocate()
          throw tooLarge(limit)
        }
        let larger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: buffer.count * 2)
        _ = larger.initialize(fromContentsOf: buffer)
        buffer.deallocate()
        buffer = larger
      }
      // A fresh allocation of 1 MiB or more always has an address.
      guard let base = buffer.baseAddress else { break }
      let got = read(fd, base + count, buffer.count - count)
      if got < 0 && errno == EINTR { continue }
      guard got >= 0 else {
        let reason = String(cString: strerror(errno))
        buffer.deallocate()
        throw ValidationError("cannot read \(name): \(reason)")
      }
      if got == 0 { break }
      count += got
    }
    guard count <= limit else {
      buffer.deallocate()
      throw tooLarge(limit)
    }
    return UnsafeMutableBufferPointer(rebasing: buffer[..<count])
  }

  private static func tooLarge(_ limit: Int) -> ValidationError {
    ValidationError("input is larger than \(limit >> 20) MiB; refusing to read it all")
  }
}
