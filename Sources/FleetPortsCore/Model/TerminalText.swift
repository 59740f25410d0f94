/// Makes text that came from a host safe to print on a terminal: control characters
/// (escape sequences, carriage returns, NULs) become visible `\xNN` escapes.
public enum TerminalText {
  public static func sanitize(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
      if isControl(scalar) {
        out += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
      // Bidi overrides and isolates, zero-width characters: they make one name look like another.
      || (0x202a...0x202e).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
      || (0x200b...0x200f).contains(scalar.value) || scalar.value == 0xfeff
  }
}
