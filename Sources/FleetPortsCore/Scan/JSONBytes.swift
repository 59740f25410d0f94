/// JSON text pieces appended to a byte buffer: the one spelling of strings and numbers that
/// scan.json (`StreamingJSONEncoder`) and `parse --json` (`SocketParseJSON`) share.
enum JSONBytes {
  /// A JSON string: `"` and `\` escaped, control characters as \n, \t, \r or \u00XX; `/`
  /// and everything from U+0080 on written as UTF-8.
  static func appendString(_ value: String, to bytes: inout [UInt8]) {
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
          let hex: StaticString = "0123456789abcdef"
          let digits = UnsafeBufferPointer(start: hex.utf8Start, count: 16)
          bytes.append(contentsOf: [92, 117, 48, 48, digits[Int(byte >> 4)], digits[Int(byte & 15)]])
        }
        start = i + 1
      }
      if start < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...])) }
    }
    bytes.append(34)
  }

  /// The decimal digits of `value`, without a String per number.
  static func appendDecimal(_ value: UInt64, to bytes: inout [UInt8]) {
    if value < 10 {
      bytes.append(UInt8(48 + value))
      return
    }
    var magnitude = value
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
}
