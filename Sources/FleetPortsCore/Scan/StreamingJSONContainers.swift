/// The `Encoder` and container types `StreamingJSONEncoder` hands to `encode(to:)`: each
/// forwards to `JSONByteStream`, which writes the bytes and keeps the open containers.

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
    stream.frames[index].pendingValue = stream.position
    return StreamEncoder(stream: stream, level: level + 1)
  }

  mutating func superEncoder(forKey key: Key) -> any Encoder {
    begin(key)
    stream.frames[index].pendingValue = stream.position
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
    stream.frames[index].pendingValue = stream.position
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
