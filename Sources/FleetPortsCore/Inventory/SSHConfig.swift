/// An OpenSSH client configuration (`man ssh_config`), read without touching files:
/// the directives in order, each with the `Host` blocks it sits in, so `resolve(alias:)`
/// can apply OpenSSH's rule that the first value obtained for a keyword wins.
/// `Match` blocks are kept but never applied (their criteria need a running ssh);
/// `Include` paths are recorded, and read only through a loader the caller passes.
public struct SSHConfig: Sendable, Hashable {
  /// What must hold for a directive to apply to a host.
  public enum Condition: Sendable, Hashable {
    /// A `Host` line's patterns (`*`, `?`, `!negated`).
    case host(patterns: [String])
    /// `Match all`: always holds.
    case matchAll
    /// Any other `Match` line: not evaluated, so never holds.
    case match(criteria: [String])

    /// OpenSSH: some pattern matches and no negated pattern does; names compare lowercased.
    func holds(for alias: String) -> Bool {
      switch self {
      case .matchAll: return true
      case .match: return false
      case .host(let patterns):
        let name = alias.lowercased()
        var matched = false
        for pattern in patterns.map({ $0.lowercased() }) {
          if pattern.hasPrefix("!") {
            if Glob.matches(String(pattern.dropFirst()), name) { return false }
          } else if Glob.matches(pattern, name) {
            matched = true
          }
        }
        return matched
      }
    }
  }

  /// One `Keyword arguments…` line.
  public struct Directive: Sendable, Hashable {
    /// Lowercased: OpenSSH keywords are case-insensitive.
    public var keyword: String
    /// Quotes removed.
    public var arguments: [String]
    public var source: SourceLine
    /// Outermost first (an `Include` inside a `Host` block adds one); all must hold.
    public var conditions: [Condition]
  }

  /// A `Match` line: its block was skipped.
  public struct MatchBlock: Sendable, Hashable {
    public var criteria: [String]
    public var source: SourceLine
    /// The blocks around it (through `Include`); when they do not hold it is irrelevant.
    public var conditions: [Condition]
  }

  /// An `Include` line: the caller reads these files (expanding `~` and globs; relative
  /// paths are relative to `~/.ssh` for a user's file, `/etc/ssh` for the system one).
  public struct Include: Sendable, Hashable {
    public var paths: [String]
    public var source: SourceLine
    /// The blocks it sits in; its files' directives apply only where these hold.
    public var conditions: [Condition]
  }

  /// A file an `Include` named, read by the caller.
  public struct IncludedFile: Sendable, Hashable {
    /// The name used in messages.
    public var file: String
    public var text: String

    public init(file: String, text: String) {
      self.file = file
      self.text = text
    }
  }

  public var directives: [Directive] = []
  public var matchBlocks: [MatchBlock] = []
  public var includes: [Include] = []

  /// OpenSSH's READCONF_MAX_DEPTH.
  public static let maxIncludeDepth = 16

  public init() {}

  /// Parses one file; `Include` lines are only recorded in `includes`.
  public static func parse(_ text: String, file: String) throws(SSHConfigError) -> SSHConfig {
    try parse(text, file: file, loadInclude: { _ in [] })
  }

  /// Parses one file and, in place, the files each `Include` names: `loadInclude` gets the
  /// path as written and returns the files it stands for (none when missing, as ssh allows).
  public static func parse(
    _ text: String, file: String, loadInclude: (_ path: String) -> [IncludedFile]
  ) throws(SSHConfigError) -> SSHConfig {
    let (config, problems) = withoutActuallyEscaping(loadInclude) { load in
      var reader = SSHConfigReader(loadInclude: load)
      reader.read(text, file: file, prefix: [], depth: 0)
      return (reader.config, reader.problems)
    }
    guard problems.isEmpty else { throw SSHConfigError(problems: problems) }
    return config
  }
}
