/// A growable byte buffer written through a raw pointer, in `StreamingJSONEncoder`'s layout:
/// two-space indentation, `"key" : value`. Each write makes room first (a compare; growing is
/// rare: a socket with very long strings); the caller empties it between sockets. What it
/// writes of the model (a socket and its parts) is `SocketParseJSON`'s; the escaping rules are
/// `JSONBytes`' (written again here on a raw pointer, for `parse --json`'s speed; the tests
/// compare both writers' bytes).
struct JSONOutput {
  var base: UnsafeMutablePointer<UInt8>
  var capacity: Int
  var count = 0

  init(capacity: Int) {
    self.capacity = capacity
    base = .allocate(capacity: capacity)
  }

  func deallocate() { base.deallocate() }

  var written: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  @inline(__always) mutating func reserve(_ extra: Int) {
    if count + extra > capacity { grow(count + extra) }
  }

  mutating func grow(_ needed: Int) {
    let larger = max(needed, capacity * 2)
    let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
    moved.update(from: base, count: count)
    base.deallocate()
    base = moved
    capacity = larger
  }

  @inline(__always) mutating func byte(_ value: UInt8) {
    reserve(1)
    put(value)
  }

  /// One byte into room the caller reserved.
  @inline(__always) mutating func put(_ value: UInt8) {
    base[count] = value
    count += 1
  }

  @inline(__always) mutating func write(_ text: StaticString) {
    write(text.utf8Start, text.utf8CodeUnitCount)
  }

  @inline(__always) mutating func write(_ start: UnsafePointer<UInt8>, _ length: Int) {
    reserve(length)
    (base + count).update(from: start, count: length)
    count += length
  }

  /// A value encoded at level 0 placed at `level`: every line after the first indented more.
  /// (JSON text has newlines only between tokens; strings carry `\n` escaped.)
  mutating func nested(_ value: [UInt8], level: Int) {
    for byte in value {
      self.byte(byte)
      if byte == 10 {
        for _ in 0..<(level * 2) { self.byte(32) }
      }
    }
  }

  // MARK: values

  /// 0–255 in at most three digits; room reserved by the caller.
  @inline(__always) mutating func octet(_ value: UInt8) {
    if value >= 100 {
      base[count] = 48 + value / 100
      base[count + 1] = 48 + value / 10 % 10
      base[count + 2] = 48 + value % 10
      count += 3
    } else if value >= 10 {
      base[count] = 48 + value / 10
      base[count + 1] = 48 + value % 10
      count += 2
    } else {
      base[count] = 48 + value
      count += 1
    }
  }

  mutating func signed(_ value: Int64) {
    if value < 0 { byte(45) }
    decimal(value.magnitude)
  }

  // `key` (its comma, indentation and colon included) and the value, when there is one.

  @inline(__always) mutating func decimalField(_ key: StaticString, _ value: UInt64?) {
    guard let value else { return }
    write(key)
    decimal(value)
  }

  @inline(__always) mutating func signedField(_ key: StaticString, _ value: Int64?) {
    guard let value else { return }
    write(key)
    signed(value)
  }

  @inline(__always) mutating func stringField(_ key: StaticString, _ value: String?) {
    guard let value else { return }
    write(key)
    string(value)
  }

  @inline(__always) mutating func enumField(_ key: StaticString, _ value: String?) {
    guard let value else { return }
    write(key)
    enumString(value)
  }

  /// The decimal digits of `value`, as `JSONBytes.appendDecimal` writes them.
  @inline(__always) mutating func decimal(_ value: UInt64) {
    reserve(20)
    if value < 10 {
      base[count] = UInt8(48 + value)
      count += 1
      return
    }
    var digits = 0
    var rest = value
    while rest > 0 {
      digits += 1
      rest /= 10
    }
    rest = value
    var at = count + digits
    while rest > 0 {
      at -= 1
      base[at] = UInt8(48 + rest % 10)
      rest /= 10
    }
    count += digits
  }

  /// A raw value of one of the model's enums: ASCII letters, digits, `-` and `_`, nothing to
  /// escape (the digest test would see an enum spelled otherwise).
  @inline(__always) mutating func enumString(_ value: String) {
    var text = value
    text.withUTF8 { utf8 in
      reserve(utf8.count + 2)
      base[count] = 34
      count += 1
      if let start = utf8.baseAddress { (base + count).update(from: start, count: utf8.count) }
      count += utf8.count
      base[count] = 34
      count += 1
    }
  }

  /// A JSON string as `JSONBytes.appendString` writes it: `"` and `\` escaped, control
  /// characters as \n, \t, \r or \u00XX; everything else (UTF-8 from U+0080 on) as it is.
  mutating func string(_ value: String) {
    var text = value
    text.withUTF8 { utf8 in
      // Six bytes per byte at worst (\u00XX), two quotes.
      reserve(utf8.count * 6 + 2)
      base[count] = 34
      count += 1
      for byte in utf8 {
        if byte >= 32 && byte != 34 && byte != 92 {
          base[count] = byte
          count += 1
          continue
        }
        base[count] = 92
        switch byte {
        case 34: base[count + 1] = 34
        case 92: base[count + 1] = 92
        case 10: base[count + 1] = 110
        case 13: base[count + 1] = 114
        case 9: base[count + 1] = 116
        default:
          let hex: StaticString = "0123456789abcdef"
          base[count + 1] = 117
          base[count + 2] = 48
          base[count + 3] = 48
          base[count + 4] = hex.utf8Start[Int(byte >> 4)]
          base[count + 5] = hex.utf8Start[Int(byte & 15)]
          count += 4
        }
        count += 2
      }
      base[count] = 34
      count += 1
    }
  }
}
