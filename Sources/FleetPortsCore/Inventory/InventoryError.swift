/// Everything wrong with an inventory file, each problem with its file and line, so one
/// run shows every line to fix.
public struct InventoryError: Error, Sendable, Hashable, CustomStringConvertible {
  public var problems: [InventoryProblem]

  public init(problems: [InventoryProblem]) {
    self.problems = problems
  }

  /// One problem a line, `file:line: message`.
  public var description: String {
    problems.map(\.description).joined(separator: "\n")
  }
}

/// One thing wrong with one inventory line.
public struct InventoryProblem: Error, Sendable, Hashable, CustomStringConvertible {
  /// What is wrong; every message says what was found and what is accepted.
  public enum Kind: Error, Sendable, Hashable {
    /// A native `key=value` whose key is not one fleetports knows.
    case unknownOption(String)
    /// A word after the host that is not `key=value`.
    case notAnOption(String)
    /// `key=` with nothing after it.
    case emptyValue(key: String)
    case invalidPort(String)
    case invalidBoolean(key: String, value: String)
    case emptyUser(String)
    case emptyHost(String)
    /// A host that is not `[user@]host[:port]`, with why.
    case malformedHost(String, reason: String)
    case invalidGroupName(String)
    /// A `[…]` line that is not a group header.
    case malformedSection(String)
    /// The same setting given two different values for one host, e.g. `root@web1 user=admin`.
    case conflictingValues(host: String, key: String, first: String, second: String, firstSource: SourceLine?)
    case unterminatedQuote
    /// `web[03:01]`, `web[a:10]`, …
    case invalidRange(String, reason: String)
    /// `[group:children]` sections that include each other; the groups in cycle order.
    case groupCycle([String])
    /// A line in a `[group:vars]` section that is not `name=value`.
    case malformedVariable(String)
    /// A line in a `[group:children]` section that is not one group name.
    case malformedChild(String)
    /// YAML or JSON that does not parse (the reader's own words).
    case syntax(String)
    /// A YAML/JSON inventory value of the wrong shape at `path` (`all.children.web.hosts`).
    case wrongShape(path: String, expected: String)
    /// A key Ansible's inventory plugins do not take at `path`.
    case unexpectedKey(path: String, key: String, expected: [String])
  }

  public var source: SourceLine
  public var kind: Kind

  public init(_ kind: Kind, at source: SourceLine) {
    self.kind = kind
    self.source = source
  }

  public var description: String { "\(source): \(message)" }

  /// The message without the location.
  public var message: String {
    switch kind {
    case .unknownOption(let option):
      return "unknown option '\(option)' (known: \(NativeInventoryParser.knownKeys.joined(separator: ", ")))"
    case .notAnOption(let word):
      return "'\(word)' is not key=value; after the host only key=value options may follow"
    case .emptyValue(let key):
      return "option '\(key)=' has no value"
    case .invalidPort(let text):
      return "port '\(text)' is not a number from 1 to 65535"
    case .invalidBoolean(let key, let value):
      return "\(key) '\(value)' is not true, false, yes or no"
    case .emptyUser(let text):
      return "empty user before '@' in '\(text)'; write user@host or leave the user out"
    case .emptyHost(let text):
      return "empty host name in '\(text)'"
    case .malformedHost(let text, let reason):
      return "host '\(text)' is not [user@]host[:port]: \(reason)"
    case .invalidGroupName(let name):
      return "group name '\(name)' must be non-empty and hold no blanks, commas, colons or brackets"
    case .malformedSection(let text):
      return "'\(text)' is not a group header; write [group] (or [group:children], [group:vars] in Ansible inventories)"
    case .conflictingValues(let host, let key, let first, let second, let firstSource):
      let whereFirst = firstSource.map { " at \($0)" } ?? ""
      return "host '\(host)' is given \(key) '\(first)'\(whereFirst) and \(key) '\(second)' here; keep one"
    case .unterminatedQuote:
      return "a quote is opened and never closed"
    case .invalidRange(let text, let reason):
      return "host range '\(text)': \(reason)"
    case .groupCycle(let groups):
      return "groups include each other through [group:children]: \((groups + [groups[0]]).joined(separator: " -> ")); remove one of these children"
    case .malformedVariable(let text):
      return "'\(text)' is not name=value in a [group:vars] section"
    case .malformedChild(let text):
      return "'\(text)' is not one group name in a [group:children] section"
    case .syntax(let text):
      return text
    case .wrongShape(let path, let expected):
      return "\(path) must be \(expected)"
    case .unexpectedKey(let path, let key, let expected):
      return "unexpected key '\(key)' in \(path) (expected: \(expected.joined(separator: ", ")))"
    }
  }
}
