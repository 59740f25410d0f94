import FleetPortsCore
import Foundation

/// Makes host-supplied text safe inside a GitHub-flavoured Markdown table cell: nothing can
/// end the cell or row (`|`, newlines), open code or emphasis, form a link or mention, or
/// inject HTML (`<`, `>`, `&` become entities); control characters become visible `\xNN`.
enum MarkdownText {
  static func cell(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
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
      case "*", "_", "[", "]", "~", "#", "!": out += "\\" + String(scalar)
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "&": out += "&amp;"
      case "@": out += "&#64;"
      // GitHub autolinks `www.…` even in table cells (`://` is broken below).
      case ".": out += out.lowercased().hasSuffix("www") ? "&#46;" : "."
      default:
        out += TerminalText.sanitize(String(scalar))
      }
    }
    // …and `scheme://…`: an entity for the colon keeps it text.
    return out.replacingOccurrences(of: "://", with: "&#58;//")
  }

  /// A table from a header and rows of already-escaped cells.
  static func table(_ header: [String], _ rows: [[String]]) -> String {
    var text = "| " + header.joined(separator: " | ") + " |\n"
    text += "|" + String(repeating: "---|", count: header.count) + "\n"
    for row in rows { text += "| " + row.joined(separator: " | ") + " |\n" }
    return text
  }
}
