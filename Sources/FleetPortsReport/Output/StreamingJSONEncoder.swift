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
  public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
    let stream = JSONByteStream()
    try stream.encodeValue(value, level: 0)
    stream.close(downTo: 0)
    return stream.bytes
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

  var bytes: [UInt8] = []
  var frames: [Frame] = []

  init() { bytes.reserveCapacity(64 << 10) }

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
    fillPending(index)
    if frames[index].entries != nil {
      frames[index].entries!.append((key ?? "", bytes.count))
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
    if bytes.count == at { bytes.append(contentsOf: [123, 125]) }
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
    let mark = bytes.count
    let depth = frames.count
    try value.encode(to: StreamEncoder(stream: self, level: level))
    if bytes.count == mark && frames.count == depth {
      bytes.append(contentsOf: [123, 125])  // a value that encoded nothing is `{}`, as in JSONEncoder
    }
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
    var magnitude = value.magnitude
    if magnitude < 10 {
      bytes.append(UInt8(48 + magnitude))
      return
    }
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
    var count = 0
    withUnsafeMutableBytes(of: &digits) { buffer in
      while magnitude > 0 {
        buffer[23 - count] = UInt8(48 + magnitude % 10)
        magnitude /= 10
        count += 1
      }
      bytes.append(contentsOf: buffer[(24 - count)...])
    }
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

  /// A JSON string: `"` and `\` escaped, control characters as \n, \t, \r or \u00XX; `/`
  /// and everything from U+0080 on written as UTF-8.
  func string(_ value: String) {
    bytes.append(34)
    var text = value
    text.withUTF8 { utf8 in
      var start = 0
      for i in 0..<utf8.count {
        let byte = utf8[i]
        guard byte < 32 || byte == 34 || byte == 92 else { continue }
        if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i])) }
        switch byte {
        case 34: bytes.append(contentsOf: [92, 34])
        case 92: bytes.append(contentsOf: [92, 92])
        case 10: bytes.append(contentsOf: [92, 110])
        case 13: bytes.append(contentsOf: [92, 114])
        case 9: bytes.append(contentsOf: [92, 116])
        default:
          let hex = Array("0123456789abcdef".utf8)
          bytes.append(contentsOf: [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
        }
        start = i + 1
      }
      if start < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
    }
    bytes.append(34)
  }
}

/// The `Encoder` one value sees. `level` is its indentation depth.
struct StreamEncoder: Encoder {
  let stream: JSONByteStream
  let level: Int
  /// The frame index this value's container gets: frames below belong to its parents.
  let depth: Int

  init(stream: JSONByteStream, level: Int) {
    self.stream = stream
    self.level = level
    self.depth = stream.frames.count
  }
  var codingPath: [any CodingKey] { [] }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  /// Dictionary<String, _> encodes through the standard library's `_DictionaryCodingKey`;
  /// its entries come in hash order, so they are sorted on close (JSONEncoder's sortedKeys did that).
  static func isDictionaryKey<Key>(_ type: Key.Type) -> Bool {
    ObjectIdentifier(type) == dictionaryKeyType
  }

  /// The key type a dictionary encodes with, learned once from a dictionary.
  static let dictionaryKeyType: ObjectIdentifier = {
    let spy = KeyTypeSpy()
    try? ["k": 0].encode(to: spy)
    return spy.seen ?? ObjectIdentifier(Never.self)
  }()

  /// Asked twice (a subclass and its superclass sharing one encoder), the same object.
  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if stream.frames.count > depth, stream.frames[depth].isObject {
      return KeyedEncodingContainer(StreamKeyedContainer<Key>(stream: stream, index: depth, level: level))
    }
    let index = stream.open(object: true, level: level, sorted: Self.isDictionaryKey(type))
    return KeyedEncodingContainer(StreamKeyedContainer<Key>(stream: stream, index: index, level: level))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    StreamUnkeyedContainer(stream: stream, index: stream.open(object: false, level: level), level: level)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    StreamSingleValue(stream: stream, level: level)
  }
}

/// Records the key type of the first keyed container asked for (see `dictionaryKeyType`);
/// what is encoded into it goes to a stream nobody reads.
final class KeyTypeSpy: Encoder {
  var seen: ObjectIdentifier?
  let scratch = JSONByteStream()
  var codingPath: [any CodingKey] { [] }
  var userInfo: [CodingUserInfoKey: Any] { [:] }
  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if seen == nil { seen = ObjectIdentifier(type) }
    return KeyedEncodingContainer(StreamKeyedContainer<Key>(stream: scratch, index: scratch.open(object: true, level: 0), level: 0))
  }
  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    StreamUnkeyedContainer(stream: scratch, index: scratch.open(object: false, level: 0), level: 0)
  }
  func singleValueContainer() -> any SingleValueEncodingContainer { StreamSingleValue(stream: scratch, level: 0) }
}

struct StreamKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let stream: JSONByteStream
  let index: Int
  let level: Int
  var codingPath: [any CodingKey] { [] }

  func begin(_ key: Key) { stream.beginElement(index, key: key.stringValue) }

  mutating func encodeNil(forKey key: Key) throws {
    begin(key)
    stream.null()
  }
  mutating func encode(_ value: Bool, forKey key: Key) throws {
    begin(key)
    stream.bool(value)
  }
  mutating func encode(_ value: String, forKey key: Key) throws {
    begin(key)
    stream.string(value)
  }
  mutating func encode(_ value: Double, forKey key: Key) throws {
    begin(key)
    try stream.double(value)
  }
  mutating func encode(_ value: Float, forKey key: Key) throws {
    begin(key)
    try stream.double(Double(value))
  }
  mutating func encode(_ value: Int, forKey key: Key) throws {
    begin(key)
    stream.integer(value)
  }
  mutating func encode(_ value: Int8, forKey key: Key) throws {
    begin(key)
    stream.integer(value)
  }
  mutating func encode(_ value: Int16, forKey key: Key) throws {
    begin(key)
    stream.integer(value)
  }
  mutating func encode(_ value: Int32, forKey key: Key) throws {
    begin(key)
    stream.integer(value)
  }
  mutating func encode(_ value: Int64, forKey key: Key) throws {
    begin(key)
    stream.integer(value)
  }
  mutating func encode(_ value: UInt, forKey key: Key) throws {
    begin(key)
    stream.integer(value)
  }
  mutating func encode(_ value: UInt8, forKey key: Key) throws {
    begin(key)
    stream.integer(value)
  }
  mutating func encode(_ value: UInt16, forKey key: Key) throws {
    begin(key)
    stream.integer(value)
  }
  mutating func encode(_ value: UInt32, forKey key: Key) throws {
    begin(key)
    stream.integer(value)
  }
  mutating func encode(_ value: UInt64, forKey key: Key) throws {
    begin(key)
    stream.integer(value)
  }
  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    begin(key)
    try stream.encodeValue(value, level: level + 1)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
    begin(key)
    let nested = stream.open(object: true, level: level + 1, sorted: StreamEncoder.isDictionaryKey(keyType))
    return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(stream: stream, index: nested, level: level + 1))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    begin(key)
    return StreamUnkeyedContainer(stream: stream, index: stream.open(object: false, level: level + 1), level: level + 1)
  }

  mutating func superEncoder() -> any Encoder {
    stream.beginElement(index, key: "super")
    stream.frames[index].pendingValue = stream.bytes.count
    return StreamEncoder(stream: stream, level: level + 1)
  }

  mutating func superEncoder(forKey key: Key) -> any Encoder {
    begin(key)
    stream.frames[index].pendingValue = stream.bytes.count
    return StreamEncoder(stream: stream, level: level + 1)
  }
}

struct StreamUnkeyedContainer: UnkeyedEncodingContainer {
  let stream: JSONByteStream
  let index: Int
  let level: Int
  var codingPath: [any CodingKey] { [] }
  var count: Int { index < stream.frames.count ? stream.frames[index].count : 0 }

  func begin() { stream.beginElement(index, key: nil) }

  mutating func encodeNil() throws {
    begin()
    stream.null()
  }
  mutating func encode(_ value: Bool) throws {
    begin()
    stream.bool(value)
  }
  mutating func encode(_ value: String) throws {
    begin()
    stream.string(value)
  }
  mutating func encode(_ value: Double) throws {
    begin()
    try stream.double(value)
  }
  mutating func encode(_ value: Int) throws {
    begin()
    stream.integer(value)
  }
  mutating func encode(_ value: Int64) throws {
    begin()
    stream.integer(value)
  }
  mutating func encode(_ value: UInt64) throws {
    begin()
    stream.integer(value)
  }
  mutating func encode<T: Encodable>(_ value: T) throws {
    begin()
    try stream.encodeValue(value, level: level + 1)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
    begin()
    let nested = stream.open(object: true, level: level + 1, sorted: StreamEncoder.isDictionaryKey(keyType))
    return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(stream: stream, index: nested, level: level + 1))
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    begin()
    return StreamUnkeyedContainer(stream: stream, index: stream.open(object: false, level: level + 1), level: level + 1)
  }

  mutating func superEncoder() -> any Encoder {
    begin()
    stream.frames[index].pendingValue = stream.bytes.count
    return StreamEncoder(stream: stream, level: level + 1)
  }
}

struct StreamSingleValue: SingleValueEncodingContainer {
  let stream: JSONByteStream
  let level: Int
  var codingPath: [any CodingKey] { [] }

  mutating func encodeNil() throws { stream.null() }
  mutating func encode(_ value: Bool) throws { stream.bool(value) }
  mutating func encode(_ value: String) throws { stream.string(value) }
  mutating func encode(_ value: Double) throws { try stream.double(value) }
  mutating func encode(_ value: Float) throws { try stream.double(Double(value)) }
  mutating func encode(_ value: Int) throws { stream.integer(value) }
  mutating func encode(_ value: Int8) throws { stream.integer(value) }
  mutating func encode(_ value: Int16) throws { stream.integer(value) }
  mutating func encode(_ value: Int32) throws { stream.integer(value) }
  mutating func encode(_ value: Int64) throws { stream.integer(value) }
  mutating func encode(_ value: UInt) throws { stream.integer(value) }
  mutating func encode(_ value: UInt8) throws { stream.integer(value) }
  mutating func encode(_ value: UInt16) throws { stream.integer(value) }
  mutating func encode(_ value: UInt32) throws { stream.integer(value) }
  mutating func encode(_ value: UInt64) throws { stream.integer(value) }
  mutating func encode<T: Encodable>(_ value: T) throws { try stream.encodeValue(value, level: level) }
}
