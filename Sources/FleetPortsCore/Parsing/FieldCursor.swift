/// Walks the whitespace-separated fields of one line without allocating.
struct FieldCursor {
  let line: UnsafeBufferPointer<UInt8>
  var position = 0

  init(_ line: UnsafeBufferPointer<UInt8>) { self.line = line }

  /// The next field's range, or nil at the end of the line.
  @inline(__always) mutating func next() -> Range<Int>? {
    let n = line.count
    var i = position
    while i < n && isSpace(line[i]) { i += 1 }
    guard i < n else {
      position = n
      return nil
    }
    let start = i
    while i < n && !isSpace(line[i]) { i += 1 }
    position = i
    return start..<i
  }
}
