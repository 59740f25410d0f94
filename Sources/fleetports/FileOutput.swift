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
      let written = bytes.withUnsafeMutableBytes { raw in
        #if canImport(Glibc)
          Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
        #else
          Darwin.write(fd, raw.baseAddress! + offset, raw.count - offset)
        #endif
      }
      if written <= 0 { return }
      offset += written
    }
    bytes.removeAll()
  }
}
