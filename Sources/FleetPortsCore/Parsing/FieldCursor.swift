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

/// The first whitespace-separated fields of a line (at most 8), as index ranges into it, held
/// inline: `fieldRanges` without an array allocated per line (ss's rows are read millions of
/// times a second). Equal to `fieldRanges(line, limit: limit)` for any `limit` up to 8.
struct LineFields: RandomAccessCollection {
  /// The most fields one value holds.
  static let capacity = 8
  private var starts = SIMD8<Int>()
  private var ends = SIMD8<Int>()
  private(set) var count = 0

  init(_ line: UnsafeBufferPointer<UInt8>, limit: Int) {
    precondition(limit <= Self.capacity, "LineFields holds at most 8 fields")
    var cursor = FieldCursor(line)
    while count < limit, let field = cursor.next() {
      starts[count] = field.lowerBound
      ends[count] = field.upperBound
      count += 1
    }
  }

  var startIndex: Int { 0 }
  var endIndex: Int { count }

  subscript(index: Int) -> Range<Int> {
    precondition(index >= 0 && index < count, "field index out of range")
    return starts[index]..<ends[index]
  }
}
