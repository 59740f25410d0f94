/// Escapes text for XML 1.0 content and attribute values: the five special characters become
/// entities, tab/newline/CR in attributes become character references, and characters XML 1.0
/// cannot carry at all (other C0 controls, U+FFFE, U+FFFF) become visible `\xNN`.
enum XMLText {
  static func escape(_ text: String, attribute: Bool = false) -> String {
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
}
