#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes to the standard streams without Foundation's buffering surprises.
enum FileOutput {
  static func standardOutput(_ text: String) { write(1, text) }
  static func standardError(_ text: String) { write(2, text) }

  private static func write(_ fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeMutableBytes { raw -> Int in
        guard let base = raw.baseAddress else { return 0 }
        #if canImport(Glibc)
          return Glibc.write(fd, base + offset, raw.count - offset)
        #else
          return Darwin.write(fd, base + offset, raw.count - offset)
        #endif
      }
      if written <= 0 { return }
      offset += written
    }
    bytes.removeAll()
  }
}
