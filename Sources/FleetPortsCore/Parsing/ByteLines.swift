/// Calls `body` with each line of `buffer` (1-based number, bytes without `\n` or a trailing `\r`).
/// A final line without a newline is still a line; a trailing newline adds no empty line.
@inline(__always)
func forEachLine(
  _ buffer: UnsafeBufferPointer<UInt8>, _ body: (Int, UnsafeBufferPointer<UInt8>) -> Void
) {
  forEachLineWhile(buffer) { number, line in
    body(number, line)
    return true
  }
}

/// As `forEachLine(_:_:)`, stopping after the first line for which `body` returns false: the
/// format detector looks at the first lines of a capture, not at all of its 30 MB.
@inline(__always)
func forEachLineWhile(
  _ buffer: UnsafeBufferPointer<UInt8>, _ body: (Int, UnsafeBufferPointer<UInt8>) -> Bool
) {
  guard let base = buffer.baseAddress, buffer.count > 0 else { return }
  var start = 0
  var number = 0
  let end = buffer.count
  while start < end {
    let remaining = end - start
    var stop = end
    if let hit = memchrNewline(base + start, remaining) { stop = start + hit }
    number += 1
    var lineEnd = stop
    if lineEnd > start && base[lineEnd - 1] == 13 { lineEnd -= 1 }
    guard body(number, UnsafeBufferPointer(start: base + start, count: lineEnd - start)) else { return }
    start = stop + 1
  }
}

@inline(__always)
private func memchrNewline(_ pointer: UnsafePointer<UInt8>, _ count: Int) -> Int? {
  // Eight bytes at a time (the byte loop was 8% of `parse --json` of /proc/net/tcp), in plain
  // Swift to keep libc out of the pure core. A byte equal to 10 becomes 0 after the XOR;
  // `(w - 0x01…) & ~w & 0x80…` flags every zero byte, and a flag above the first zero may be a
  // false one from the borrow, so the lowest flag is the first newline. Little-endian order
  // on every host, so the lowest byte is the first in memory.
  let raw = UnsafeRawPointer(pointer)
  var i = 0
  while i + 8 <= count {
    let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ 0x0a0a_0a0a_0a0a_0a0a
    let zeros = (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    if zeros != 0 { return i + zeros.trailingZeroBitCount / 8 }
    i += 8
  }
  while i < count {
    if pointer[i] == 10 { return i }
    i += 1
  }
  return nil
}

@inline(__always) func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 }
@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

/// Whitespace-separated fields of a line, as index ranges into it.
func fieldRanges(_ line: UnsafeBufferPointer<UInt8>, limit: Int = .max) -> [Range<Int>] {
  var result: [Range<Int>] = []
  var i = 0
  let n = line.count
  while i < n && result.count < limit {
    while i < n && isSpace(line[i]) { i += 1 }
    if i >= n { break }
    let start = i
    while i < n && !isSpace(line[i]) { i += 1 }
    result.append(start..<i)
  }
  return result
}

extension UnsafeBufferPointer where Element == UInt8 {
  @inline(__always) func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(rebasing: self[range])
  }

  /// The bytes of `range` as a String (invalid UTF-8 becomes U+FFFD).
  @inline(__always) func string(_ range: Range<Int>) -> String {
    String(decoding: slice(range), as: UTF8.self)
  }

  @inline(__always) func substring(_ range: Range<Int>) -> Substring {
    Substring(string(range))
  }

  /// A decimal number in `range`, nil when any byte is not a digit or it overflows.
  func decimal(_ range: Range<Int>) -> UInt64? {
    guard !range.isEmpty, range.count <= 20 else { return nil }
    var value: UInt64 = 0
    for i in range {
      let byte = self[i]
      guard isDigit(byte) else { return nil }
      let (times10, o1) = value.multipliedReportingOverflow(by: 10)
      let (sum, o2) = times10.addingReportingOverflow(UInt64(byte - 48))
      if o1 || o2 { return nil }
      value = sum
    }
    return value
  }

  /// A hexadecimal number in `range` (at most 16 digits).
  func hex(_ range: Range<Int>) -> UInt64? {
    guard !range.isEmpty, range.count <= 16 else { return nil }
    var value: UInt64 = 0
    for i in range {
      guard let digit = hexDigit(self[i]) else { return nil }
      value = value << 4 | UInt64(digit)
    }
    return value
  }

  func hasPrefix(_ prefix: StaticString) -> Bool {
    let count = prefix.utf8CodeUnitCount
    guard self.count >= count else { return false }
    let p = prefix.utf8Start
    for i in 0..<count where self[i] != p[i] { return false }
    return true
  }

  func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
    let count = literal.utf8CodeUnitCount
    guard range.count == count else { return false }
    let p = literal.utf8Start
    for i in 0..<count where self[range.lowerBound + i] != p[i] { return false }
    return true
  }

  /// The first index at or after `from` where `literal` starts.
  func firstIndex(of literal: StaticString, from: Int = 0) -> Int? {
    let count = literal.utf8CodeUnitCount
    guard count > 0, self.count >= count else { return nil }
    let p = literal.utf8Start
    var i = from
    while i + count <= self.count {
      if self[i] == p[0] {
        var match = true
        for j in 1..<count where self[i + j] != p[j] {
          match = false
          break
        }
        if match { return i }
      }
      i += 1
    }
    return nil
  }

  var isBlank: Bool { allSatisfy { isSpace($0) } }
}

@inline(__always) func hexDigit(_ byte: UInt8) -> UInt8? {
  switch byte {
  case 48...57: return byte - 48
  case 65...70: return byte - 55
  case 97...102: return byte - 87
  default: return nil
  }
}

/// Runs `body` over the bytes of a String or byte array without copying where possible.
func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
  bytes.withUnsafeBufferPointer(body)
}
