/// The encoder behind scan.json: writes JSON bytes as the values encode themselves, keys in
/// the order the types encode them (declaration order for synthesized `Codable`), dictionary
/// keys sorted, pretty-printed with two-space indentation.
///
/// Foundation's `JSONEncoder` with `.sortedKeys` builds a dictionary for every object and
/// sorts every object's keys before writing; on a scan that was most of fleetports' own CPU
/// per host. This keeps no tree: a container is open from its first element until its
/// parent writes again, which is how every `encode(to:)` uses containers.
///
///     let bytes = try StreamingJSONEncoder.encode(scan)
public enum StreamingJSONEncoder {
  /// `value` as pretty JSON bytes.
  /// - Parameters:
  ///   - value: what to encode.
  ///   - capacity: bytes reserved up front. An estimate on the high side costs only address
  ///     space (pages never written are not resident); one too low costs a copy of everything
  ///     written so far each time the output doubles.
  /// - Returns: the UTF-8 bytes.
  /// - Throws: `EncodingError` for a value JSON cannot hold (a NaN).
  public static func encode<T: Encodable>(_ value: T, capacity: Int = 64 << 10) throws -> [UInt8] {
    let stream = JSONByteStream(capacity: capacity)
    try stream.encodeValue(value, level: 0)
    stream.close(downTo: 0)
    return stream.bytes
  }

  /// `value` as pretty JSON bytes handed to `sink` in pieces of about `chunkSize` bytes (the
  /// last one shorter), the same bytes `encode` returns: a 1,000-host scan.json (≈ 60 MB)
  /// goes to its file and its database row without ever being whole in memory. A piece is
  /// handed over between two elements, never inside a dictionary (its entries are sorted on
  /// close); the buffer is reused, so `sink` must copy what it keeps.
  /// - Returns: the number of bytes written.
  /// - Throws: `EncodingError` for a value JSON cannot hold, or what `sink` throws.
  @discardableResult
  public static func encode<T: Encodable>(
    _ value: T, chunkSize: Int, into sink: @escaping (UnsafeRawBufferPointer) throws -> Void
  ) throws -> Int {
    let stream = JSONByteStream(capacity: chunkSize + chunkSize / 4)
    stream.flushAt = max(1, chunkSize)
    stream.sink = sink
    try stream.encodeValue(value, level: 0)
    stream.close(downTo: 0)
    try stream.flush()
    return stream.flushed
  }
}

/// The output and the stack of open containers.
final class JSONByteStream {
  struct Frame {
    var isObject: Bool
    var level: Int
    var count = 0
    /// Dictionary containers: each entry's start in `bytes`, to sort them on close.
    var entries: [(key: String, start: Int)]?
    var start: Int
    /// After `superEncoder`: where its value starts; still there when the container moves
    /// on means nothing was encoded into it, and `{}` is written, as JSONEncoder does.
    var pendingValue: Int?
  }

  // Unchecked: every access is on the one thread encoding, and the runtime's dynamic
  // exclusivity checks of these two (a begin and an end per append) were a sixth of the
  // encoder's time.
  @exclusivity(unchecked) var bytes: [UInt8] = []
  @exclusivity(unchecked) var frames: [Frame] = []
  /// Where `bytes` go once they pass `flushAt` (nil: kept, and returned whole).
  var sink: ((UnsafeRawBufferPointer) throws -> Void)?
  var flushAt = Int.max
  /// Bytes already handed to `sink`: positions in the output are `flushed + bytes.count`.
  var flushed = 0
  /// The first error `sink` threw, rethrown by `encodeValue` (elements begin where nothing can throw).
  var sinkError: (any Error)?
  /// The keys of the last `[String: Int64]` written, sorted: a scan's hosts all have the same
  /// few hundred kernel counters, so they are sorted once per scan.json, not once per host
  /// (sorting them was 1.2% of a 200-host scan's controller CPU).
  var sortedKeys: [String] = []

  init(capacity: Int = 64 << 10) { bytes.reserveCapacity(capacity) }

  /// The output's length so far, handed over or not.
  var position: Int { flushed + bytes.count }

  /// Hands `bytes` to `sink` and empties them; nothing without a sink or after its error.
  func flush() throws {
    if let sinkError { throw sinkError }
    guard let sink, !bytes.isEmpty else { return }
    try bytes.withUnsafeBytes { try sink($0) }
    flushed += bytes.count
    bytes.removeAll(keepingCapacity: true)
  }

  /// `flush`, when no open dictionary still has entries to sort (they point into `bytes`).
  func flushBetweenElements() {
    guard sinkError == nil, !frames.contains(where: { $0.entries != nil }) else { return }
    do { try flush() } catch { sinkError = error }
  }

  // MARK: containers

  /// Opens `{` or `[` at `level` and returns its frame index.
  func open(object: Bool, level: Int, sorted: Bool = false) -> Int {
    bytes.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
    frames.append(Frame(isObject: object, level: level, entries: sorted ? [] : nil, start: bytes.count))
    return frames.count - 1
  }

  /// Closes every container above index `depth` (its own elements all written).
  func close(downTo depth: Int) {
    while frames.count > depth {
      fillPending(frames.count - 1)
      let frame = frames.removeLast()
      if let entries = frame.entries, entries.count > 1 { sortEntries(frame, entries) }
      if frame.count > 0 {
        newline(frame.level)
      }
      bytes.append(frame.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
    }
  }

  /// Starts element `key` (nil in arrays) of container `index`: closes what its previous
  /// element left open, then writes the separator, indentation and key.
  func beginElement(_ index: Int, key: String?) {
    if frames.count > index + 1 { close(downTo: index + 1) }
    if bytes.count >= flushAt { flushBetweenElements() }
    fillPending(index)
    if frames[index].entries != nil {
      frames[index].entries?.append((key ?? "", bytes.count))
    } else if frames[index].count > 0 {
      bytes.append(UInt8(ascii: ","))
    }
    frames[index].count += 1
    newline(frames[index].level + 1)
    if let key {
      string(key)
      bytes.append(contentsOf: [32, 58, 32])  // " : "
    }
  }

  func fillPending(_ index: Int) {
    guard let at = frames[index].pendingValue else { return }
    frames[index].pendingValue = nil
    if position == at { bytes.append(contentsOf: [123, 125]) }
  }

  /// A dictionary's entries in key order, commas between them.
  /// (Ranges, not slices: a slice alive while `bytes` changes would copy the whole output.)
  private func sortEntries(_ frame: Frame, _ entries: [(key: String, start: Int)]) {
    var chunks: [(key: String, range: Range<Int>)] = []
    for (i, entry) in entries.enumerated() {
      let end = i + 1 < entries.count ? entries[i + 1].start : bytes.count
      chunks.append((entry.key, entry.start..<end))
    }
    chunks.sort { $0.key < $1.key }
    let first = entries[0].start
    var rebuilt: [UInt8] = []
    rebuilt.reserveCapacity(bytes.count - first + chunks.count)
    for (i, chunk) in chunks.enumerated() {
      if i > 0 { rebuilt.append(UInt8(ascii: ",")) }
      rebuilt.append(contentsOf: bytes[chunk.range])
    }
    bytes.removeSubrange(first...)
    bytes.append(contentsOf: rebuilt)
  }

  func newline(_ level: Int) {
    bytes.append(10)
    bytes.append(contentsOf: repeatElement(32, count: level * 2))
  }

  // MARK: values

  /// Writes `value` where the current element goes; containers it opens stay open until
  /// their parent writes again.
  func encodeValue<T: Encodable>(_ value: T, level: Int) throws {
    // Arrays of these come here through the generic path; a checked cast would cost more
    // than writing them.
    if T.self == String.self { return string(unsafeBitCast(value, to: String.self)) }
    if T.self == Int.self { return decimal(Int64(unsafeBitCast(value, to: Int.self))) }
    if T.self == Bool.self { return bool(unsafeBitCast(value, to: Bool.self)) }
    if T.self == [String: Int64].self { return sortedIntegers(unsafeBitCast(value, to: [String: Int64].self), level: level) }
    let mark = position
    let depth = frames.count
    try value.encode(to: StreamEncoder(stream: self, level: level))
    if let sinkError { throw sinkError }
    if position == mark && frames.count == depth {
      bytes.append(contentsOf: [123, 125])  // a value that encoded nothing is `{}`, as in JSONEncoder
    }
  }

  /// A `[String: Int64]` (a host's kernel counters: hundreds of them) with its keys sorted
  /// first and each entry written in place: the bytes a dictionary's own `encode(to:)` makes
  /// (entries in hash order, moved into key order on close), without writing them twice.
  func sortedIntegers(_ dictionary: [String: Int64], level: Int) {
    // Every host's counters have the same keys: the order sorted for the last host holds
    // when it has as many keys and each is here (then the two sets are the same).
    var values: [Int64] = []
    values.reserveCapacity(dictionary.count)
    if sortedKeys.count == dictionary.count {
      for key in sortedKeys {
        guard let value = dictionary[key] else { break }
        values.append(value)
      }
    }
    if values.count != dictionary.count {
      let sorted = dictionary.sorted(by: { $0.key < $1.key })
      sortedKeys = sorted.map(\.key)
      values = sorted.map(\.value)
    }
    let frame = open(object: true, level: level)
    for (key, value) in zip(sortedKeys, values) {
      beginElement(frame, key: key)
      decimal(value)
    }
    close(downTo: frame)
  }

  func null() { bytes.append(contentsOf: [110, 117, 108, 108]) }

  func bool(_ value: Bool) {
    bytes.append(contentsOf: value ? [116, 114, 117, 101] : [102, 97, 108, 115, 101])
  }

  func integer<I: BinaryInteger>(_ value: I) {
    if let small = Int64(exactly: value) {
      decimal(small)
    } else {
      bytes.append(contentsOf: String(value).utf8)
    }
  }

  /// Digits straight into the output, without a String per number.
  func decimal(_ value: Int64) {
    if value < 0 { bytes.append(45) }
    JSONBytes.appendDecimal(value.magnitude, to: &bytes)
  }

  func double(_ value: Double) throws {
    guard value.isFinite else {
      throw EncodingError.invalidValue(value, EncodingError.Context(codingPath: [], debugDescription: "\(value) is not valid in JSON"))
    }
    if value == value.rounded(), abs(value) < 1e15 {
      integer(Int64(value))
    } else {
      bytes.append(contentsOf: String(value).utf8)
    }
  }

  /// A JSON string, escaped as `JSONBytes.appendString` escapes it.
  func string(_ value: String) {
    JSONBytes.appendString(value, to: &bytes)
  }
}
