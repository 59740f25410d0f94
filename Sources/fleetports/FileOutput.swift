#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes to the standard streams without Foundation's buffering surprises.
enum FileOutput {
  static func standardOutput(_ text: String) { write(1, Array(text.utf8)) }
  static func standardError(_ text: String) { write(2, Array(text.utf8)) }
  /// Bytes already encoded (e.g. JSON from `StreamingJSONEncoder`), written without a String.
  static func standardOutput(bytes: [UInt8]) { write(1, bytes) }
  /// Bytes lent by their writer (`SocketParseJSON.stream`), written without a copy.
  static func standardOutput(raw: UnsafeRawBufferPointer) { write(1, raw) }

  private static func write(_ fd: Int32, _ bytes: [UInt8]) {
    // Read-only access: a mutable one would copy the caller's buffer first.
    bytes.withUnsafeBytes { write(fd, $0) }
  }

  private static func write(_ fd: Int32, _ raw: UnsafeRawBufferPointer) {
    guard let base = raw.baseAddress else { return }
    var offset = 0
    while offset < raw.count {
      #if canImport(Glibc)
        let written = Glibc.write(fd, base + offset, raw.count - offset)
      #else
        let written = Darwin.write(fd, base + offset, raw.count - offset)
      #endif
      if written < 0 && errno == EINTR { continue }
      if written <= 0 { return }
      offset += written
    }
  }
}
