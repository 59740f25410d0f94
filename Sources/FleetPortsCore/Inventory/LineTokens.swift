/// Splits configuration text into numbered lines and lines into words, the way shells,
/// OpenSSH's `argv_split` and Python's `shlex` (Ansible) agree on: blanks separate words,
/// `"…"` and `'…'` quote, a backslash escapes the next character outside single quotes,
/// and a `#` that starts a word starts a comment.
enum LineTokens {
  enum Failure: Error, Hashable {
    case unterminatedQuote(Character)
  }

  /// Lines with their 1-based numbers; `\n` and `\r\n` both end a line.
  static func numberedLines(_ text: String) -> [(number: Int, text: Substring)] {
    text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
      .enumerated()
      .map { (number: $0.offset + 1, text: $0.element) }
  }

  static func words(_ line: Substring) throws(Failure) -> [String] {
    var words: [String] = []
    var current = ""
    var inWord = false
    var quote: Character?
    var escaped = false
    for character in line {
      if escaped {
        current.append(character)
        escaped = false
        continue
      }
      if let open = quote {
        if character == open {
          quote = nil
        } else if character == "\\" && open == "\"" {
          escaped = true
        } else {
          current.append(character)
        }
        continue
      }
      switch character {
      case " ", "\t", "\r":
        if inWord { words.append(current) }
        current = ""
        inWord = false
      case "#" where !inWord:
        return words
      case "\"", "'":
        quote = character
        inWord = true
      case "\\":
        escaped = true
        inWord = true
      default:
        current.append(character)
        inWord = true
      }
    }
    if let open = quote { throw .unterminatedQuote(open) }
    if inWord { words.append(current) }
    return words
  }
}

/// Boolean words as configuration files write them.
enum BooleanWord {
  /// `true`/`false`/`yes`/`no`, any case: fleetports' own inventory.
  static func strict(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "true", "yes": return true
    case "false", "no": return false
    default: return nil
    }
  }

  /// Also what Ansible's `boolean` accepts: `on`/`off`, `1`/`0`, `y`/`n`, `t`/`f`.
  static func ansible(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "true", "yes", "on", "1", "y", "t": return true
    case "false", "no", "off", "0", "n", "f": return false
    default: return nil
    }
  }
}

/// A TCP port as configuration text writes it.
enum PortNumber {
  /// 1…65535, decimal digits only.
  static func parse(_ text: String) -> Int? {
    guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }),
          let value = Int(text), (1...65535).contains(value) else { return nil }
    return value
  }
}
