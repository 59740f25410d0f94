/// Everything wrong with an ssh_config file, each problem with its file and line.
public struct SSHConfigError: Error, Sendable, Hashable, CustomStringConvertible {
  public var problems: [SSHConfigProblem]

  public init(problems: [SSHConfigProblem]) {
    self.problems = problems
  }

  /// One problem a line, `file:line: message`.
  public var description: String {
    problems.map(\.description).joined(separator: "\n")
  }
}

/// One thing wrong with one ssh_config line; the same lines make `ssh` itself refuse the file.
public struct SSHConfigProblem: Error, Sendable, Hashable, CustomStringConvertible {
  /// What is wrong; every message says what was found and what is accepted.
  public enum Kind: Error, Sendable, Hashable {
    case missingArgument(keyword: String)
    case unterminatedQuote
    case invalidPort(String)
    /// A value outside the keyword's set, e.g. `StrictHostKeyChecking maybe`.
    case invalidValue(keyword: String, value: String, expected: [String])
    /// `Include` nested deeper than OpenSSH allows (16), usually a file including itself.
    case includeTooDeep(path: String)
    /// A `Match` line OpenSSH would refuse: an unknown criterion, one without its argument.
    case invalidMatch(String)
  }

  public var source: SourceLine
  public var kind: Kind

  public init(_ kind: Kind, at source: SourceLine) {
    self.kind = kind
    self.source = source
  }

  public var description: String { "\(source): \(message)" }

  public var message: String {
    switch kind {
    case .missingArgument(let keyword):
      return "\(keyword) needs a value"
    case .unterminatedQuote:
      return "a quote is opened and never closed"
    case .invalidPort(let text):
      return "Port '\(text)' is not a number from 1 to 65535"
    case .invalidValue(let keyword, let value, let expected):
      return "\(keyword) '\(value)' is not one of: \(expected.joined(separator: ", "))"
    case .includeTooDeep(let path):
      return "Include '\(path)' nests more than \(SSHConfig.maxIncludeDepth) files deep; does a file include itself?"
    case .invalidMatch(let reason):
      return "Match: \(reason) (known: all, canonical, final, exec, localnetwork, host, originalhost, tagged, user, localuser)"
    }
  }
}
