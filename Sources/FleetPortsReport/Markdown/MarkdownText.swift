import FleetPortsCore
import Foundation

/// Makes host-supplied text safe inside a GitHub-flavoured Markdown table cell: nothing can
/// end the cell or row (`|`, newlines), open code or emphasis, form a link or mention, or
/// inject HTML (`<`, `>`, `&` become entities); control characters become visible `\xNN`.
enum MarkdownText {
  static func cell(_ text: String) -> String {
    // Most cells (addresses, ports, names) need nothing: returned as they are, no copy.
    if isPlain(text) { return text }
    var out = ""
    out.reserveCapacity(text.utf8.count + 16)
    var previousWasCR = false
    for scalar in text.unicodeScalars {
      defer { previousWasCR = scalar == "\r" }
      switch scalar {
      case "\n":
        if !previousWasCR { out += "<br>" }
      case "\r": out += "<br>"
      case "|": out += "\\|"
      case "\\": out += "\\\\"
      case "`": out += "\\`"
      case "*", "_", "[", "]", "~", "#", "!":
        out += "\\"
        out.unicodeScalars.append(scalar)
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "&": out += "&amp;"
      case "@": out += "&#64;"
      // GitHub autolinks `www.…` even in table cells (`://` is broken below).
      case ".": out += endsWithWWW(out) ? "&#46;" : "."
      default:
        if scalar.isASCII && scalar.value >= 0x20 && scalar.value != 0x7f {
          out.unicodeScalars.append(scalar)
        } else {
          out += TerminalText.sanitize(String(scalar))
        }
      }
    }
    // …and `scheme://…`: an entity for the colon keeps it text.
    return out.contains("://") ? out.replacingOccurrences(of: "://", with: "&#58;//") : out
  }

  /// Whether `cell` would return `text` unchanged: printable ASCII without a character it
  /// escapes, no `www.` and no `://`.
  private static func isPlain(_ text: String) -> Bool {
    var last: (UInt8, UInt8, UInt8) = (0, 0, 0)
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: ","), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "="),
        UInt8(ascii: "+"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "$"), UInt8(ascii: "?"),
        UInt8(ascii: ";"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "^"), UInt8(ascii: ":"):
        break
      case UInt8(ascii: "."):
        if last.0 | 0x20 == UInt8(ascii: "w") && last.1 | 0x20 == UInt8(ascii: "w") && last.2 | 0x20 == UInt8(ascii: "w") { return false }
      case UInt8(ascii: "/"):
        if last.1 == UInt8(ascii: ":") && last.2 == UInt8(ascii: "/") { return false }
      default:
        return false
      }
      last = (last.1, last.2, byte)
    }
    return true
  }

  /// Whether `text` ends in `www`, in any case (the lowercased tail only, not the whole text).
  private static func endsWithWWW(_ text: String) -> Bool {
    let tail = text.utf8.suffix(3)
    return tail.count == 3 && tail.allSatisfy { $0 | 0x20 == UInt8(ascii: "w") }
  }

  /// A table from a header and rows of already-escaped cells.
  static func table(_ header: [String], _ rows: [[String]]) -> String {
    var text = "| " + header.joined(separator: " | ") + " |\n"
    text += "|" + String(repeating: "---|", count: header.count) + "\n"
    for row in rows { text += "| " + row.joined(separator: " | ") + " |\n" }
    return text
  }
}
