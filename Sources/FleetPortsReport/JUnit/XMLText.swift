/// Escapes text for XML 1.0 content and attribute values: the five special characters become
/// entities, tab/newline/CR in attributes become character references, and characters XML 1.0
/// cannot carry at all (other C0 controls, U+FFFE, U+FFFF) become visible `\xNN`.
enum XMLText {
  static func escape(_ text: String, attribute: Bool = false) -> String {
    // Most text (names, addresses, titles) needs nothing: returned as it is, no copy.
    if isPlain(text) { return text }
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\n": out += attribute ? "&#10;" : "\n"
      case "\r": out += "&#13;"
      case "\t": out += attribute ? "&#9;" : "\t"
      default:
        let value = scalar.value
        if value < 0x20 || value == 0xFFFE || value == 0xFFFF || (0x7F...0x9F).contains(value) {
          out += "\\x" + (value < 16 ? "0" : "") + String(value, radix: 16)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }

  /// Whether no byte of `text` could need escaping: none of the five, no control character,
  /// and neither a lead byte of U+0080…U+009F (0xC2) nor of U+FFFE / U+FFFF (0xEF), which the
  /// scalar loop looks at more closely.
  static func isPlain(_ text: String) -> Bool {
    for byte in text.utf8 {
      switch byte {
      case 0..<0x20, 0x7F, 0xC2, 0xEF, UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"):
        return false
      default: continue
      }
    }
    return true
  }
}
