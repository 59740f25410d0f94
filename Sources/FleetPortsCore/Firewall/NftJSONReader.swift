/// A JSON text (RFC 8259) read straight into `NftJSON`, byte by byte: no Foundation objects to
/// box, cast and convert (`JSONSerialization` and the conversion were 3.7% of a 200-host root
/// scan's controller CPU).
///
/// Strict where JSON is strict (one value, nothing after it but whitespace; no raw control
/// characters, comments, trailing commas or leading zeros; valid UTF-8), because the bytes come
/// from the host. Nesting: values deeper than `keptDepth` read as `null` (nft never nests that
/// deep), and deeper than `maxDepth` the text is refused (`JSONSerialization` refused past 512), so hostile input can neither crash nor exhaust the stack. In an object a repeated key keeps
/// its last value. Numbers are `Double`s, as `JSONSerialization` gave them.
struct NftJSONReader {
  /// Why the bytes are not JSON, with the byte offset where reading stopped.
  struct Failure: Error, CustomStringConvertible {
    var reason: String
    var offset: Int
    var description: String { "\(reason) at byte \(offset)" }
  }

  /// Values nested deeper than this read as `null`.
  static let keptDepth = 64
  /// Nesting beyond this refuses the text.
  static let maxDepth = 256

  private let bytes: UnsafeBufferPointer<UInt8>
  private var index = 0

  private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  /// The one value `bytes` hold.
  /// - Throws: `Failure` when they are not exactly one JSON value (whitespace around it allowed).
  static func read(_ bytes: [UInt8]) throws(Failure) -> NftJSON {
    let result: Result<NftJSON, Failure> = bytes.withUnsafeBufferPointer { buffer in
      var reader = NftJSONReader(buffer)
      do throws(Failure) {
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.index == buffer.count else { throw reader.failure("text after the JSON value") }
        return .success(value)
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  private func failure(_ reason: String) -> Failure { Failure(reason: reason, offset: index) }

  private mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x09, 0x0A, 0x0D: index += 1
      default: return
      }
    }
  }

  /// Consumes `literal` (`true`, `false`, `null`) or fails.
  private mutating func expect(_ literal: StaticString) throws(Failure) {
    let count = literal.utf8CodeUnitCount
    guard bytes.count - index >= count else { throw failure("unexpected end") }
    let start = literal.utf8Start
    for offset in 0..<count where bytes[index + offset] != start[offset] { throw failure("unknown literal") }
    index += count
  }

  private mutating func value(depth: Int) throws(Failure) -> NftJSON {
    guard depth < NftJSONReader.maxDepth else { throw failure("nested deeper than \(NftJSONReader.maxDepth) levels") }
    skipWhitespace()
    guard index < bytes.count else { throw failure("unexpected end") }
    let value: NftJSON
    switch bytes[index] {
    case UInt8(ascii: "{"): value = try object(depth: depth)
    case UInt8(ascii: "["): value = try array(depth: depth)
    case UInt8(ascii: "\""): value = .string(try string())
    case UInt8(ascii: "t"):
      try expect("true")
      value = .bool(true)
    case UInt8(ascii: "f"):
      try expect("false")
      value = .bool(false)
    case UInt8(ascii: "n"):
      try expect("null")
      value = .null
    default: value = .number(try number())
    }
    return depth >= NftJSONReader.keptDepth ? .null : value
  }

  private mutating func object(depth: Int) throws(Failure) -> NftJSON {
    index += 1
    var members: [String: NftJSON] = [:]
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a key") }
      let key = try string()
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
      index += 1
      members[key] = try value(depth: depth + 1)
      skipWhitespace()
      guard index < bytes.count else { throw failure("unexpected end") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
      } else if bytes[index] == UInt8(ascii: "}") {
        index += 1
        return .object(members)
      } else {
        throw failure("expected ',' or '}'")
      }
    }
  }

  private mutating func array(depth: Int) throws(Failure) -> NftJSON {
    index += 1
    var items: [NftJSON] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
      index += 1
      return .array(items)
    }
    while true {
      items.append(try value(depth: depth + 1))
      skipWhitespace()
      guard index < bytes.count else { throw failure("unexpected end") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
      } else if bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .array(items)
      } else {
        throw failure("expected ',' or ']'")
      }
    }
  }

  /// A string from its opening quote; the UTF-8 between escapes is validated as it is decoded.
  private mutating func string() throws(Failure) -> String {
    index += 1
    let start = index
    // The common case: no escape, so the bytes are the string.
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "\"") {
        let text = try utf8(start..<index)
        index += 1
        return text
      }
      if byte == UInt8(ascii: "\\") { break }
      guard byte >= 0x20 else { throw failure("a control character in a string") }
      index += 1
    }
    var scalars: [UInt8] = Array(bytes[start..<index])
    while index < bytes.count {
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "\""):
        index += 1
        return try utf8(scalars)
      case UInt8(ascii: "\\"):
        index += 1
        guard index < bytes.count else { throw failure("unexpected end") }
        let escaped = bytes[index]
        index += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escaped)
        case UInt8(ascii: "b"): scalars.append(0x08)
        case UInt8(ascii: "f"): scalars.append(0x0C)
        case UInt8(ascii: "n"): scalars.append(0x0A)
        case UInt8(ascii: "r"): scalars.append(0x0D)
        case UInt8(ascii: "t"): scalars.append(0x09)
        case UInt8(ascii: "u"): scalars.append(contentsOf: String(try unicodeEscape()).utf8)
        default: throw failure("an unknown escape")
        }
      default:
        guard byte >= 0x20 else { throw failure("a control character in a string") }
        scalars.append(byte)
        index += 1
      }
    }
    throw failure("an unterminated string")
  }

  /// The scalar of `\uXXXX` (after the `u`), a surrogate pair taking the `\uXXXX` after it.
  private mutating func unicodeEscape() throws(Failure) -> Character {
    let high = try hex4()
    if (0xD800..<0xDC00).contains(high) {
      guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
        throw failure("a lone surrogate")
      }
      index += 2
      let low = try hex4()
      guard (0xDC00..<0xE000).contains(low), let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) else {
        throw failure("a lone surrogate")
      }
      return Character(scalar)
    }
    guard let scalar = Unicode.Scalar(high) else { throw failure("a lone surrogate") }
    return Character(scalar)
  }

  private mutating func hex4() throws(Failure) -> UInt32 {
    guard bytes.count - index >= 4 else { throw failure("unexpected end") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[index]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
      default: throw failure("a bad \\u escape")
      }
      value = value << 4 | UInt32(digit)
      index += 1
    }
    return value
  }

  private func utf8(_ range: Range<Int>) throws(Failure) -> String {
    guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) else {
      throw failure("a string that is not UTF-8")
    }
    return text
  }

  private func utf8(_ buffer: [UInt8]) throws(Failure) -> String {
    guard let text = String(validating: buffer, as: UTF8.self) else { throw failure("a string that is not UTF-8") }
    return text
  }

  /// A number as JSON spells it: `-`, digits without a leading zero, then `.digits`, then `e±digits`.
  private mutating func number() throws(Failure) -> Double {
    let start = index
    if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
    let integer = index
    let count = digits()
    guard count > 0 else { throw failure("unexpected character") }
    guard bytes[integer] != UInt8(ascii: "0") || count == 1 else { throw failure("a number with a leading zero") }
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      guard digits() > 0 else { throw failure("a number without digits after '.'") }
    }
    if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
      guard digits() > 0 else { throw failure("a number without exponent digits") }
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    guard let value = Double(text) else { throw failure("a number Double cannot hold") }
    return value
  }

  /// Consumes ASCII digits and returns how many.
  private mutating func digits() -> Int {
    let start = index
    while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
    return index - start
  }
}
