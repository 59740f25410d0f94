/// An OpenSSH client configuration (`man ssh_config`, OpenSSH 9.2), read without touching
/// files: the directives in order, each with the `Host` and `Match` blocks it sits in, so
/// `resolve(alias:local:)` can apply OpenSSH's rules: blocks evaluated top to bottom against
/// what is known so far, the first value obtained for a keyword wins. `Include` files are
/// read in place through a loader the caller passes (globs and `~` are the caller's).
public struct SSHConfig: Sendable, Hashable {
  /// What must hold for a directive to apply to a host.
  public enum Condition: Sendable, Hashable {
    /// A `Host` line's patterns (`*`, `?`, `!negated`), matched against the name ssh was given.
    case host(patterns: [String])
    /// A `Match` line's criteria, all of which must hold (see `SSHConfigMatch`).
    case match(criteria: [MatchCriterion], source: SourceLine)
  }

  /// One criterion of a `Match` line: `host web*`, `!user root`, `all`, `final`, `exec "cmd"`.
  public struct MatchCriterion: Sendable, Hashable {
    /// Lowercased: all, canonical, final, exec, localnetwork, host, originalhost, tagged, user, localuser.
    public var attribute: String
    /// Written with a leading `!`.
    public var negated: Bool
    /// The pattern list or command; nil for all, canonical and final.
    public var argument: String?

    public init(attribute: String, negated: Bool = false, argument: String? = nil) {
      self.attribute = attribute
      self.negated = negated
      self.argument = argument
    }
  }

  /// One `Keyword arguments…` line.
  public struct Directive: Sendable, Hashable {
    /// Lowercased: OpenSSH keywords are case-insensitive.
    public var keyword: String
    /// As written, for messages.
    public var written: String
    /// Quotes removed.
    public var arguments: [String]
    public var source: SourceLine
    /// Outermost first (an `Include` inside a block adds one); all must hold.
    public var conditions: [Condition]
  }

  /// An `Include` line: the files it named were read in place.
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
  public var includes: [Include] = []
  /// The `Match` lines in file order (criteria as written), for listings.
  public var matchLines: [SourceLine] = []
  /// Keywords `IgnoreUnknown` names (patterns, lowercased): OpenSSH skips them when unknown.
  public var ignoreUnknown: [String] = []

  /// OpenSSH's READCONF_MAX_DEPTH.
  public static let maxIncludeDepth = 16

  public init() {}

  /// Parses one file; `Include` lines are only recorded in `includes`.
  public static func parse(_ text: String, file: String) throws(SSHConfigError) -> SSHConfig {
    try parse(text, file: file, loadInclude: { _ in [] })
  }

  /// Parses one file and, in place, the files each `Include` names: `loadInclude` gets the
  /// path as written and returns the files it stands for, in order (none when nothing
  /// matches, as ssh allows). Several files (`~/.ssh/config` then `/etc/ssh/ssh_config`)
  /// are read as ssh does by `appending` one parse to another.
  /// - Throws: `SSHConfigError` listing every malformed line (`file:line: …`).
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

  /// This configuration followed by `later` (ssh reads the user's file, then the system's:
  /// values from the first still win).
  public func appending(_ later: SSHConfig) -> SSHConfig {
    var result = self
    result.directives += later.directives
    result.includes += later.includes
    result.matchLines += later.matchLines
    result.ignoreUnknown += later.ignoreUnknown
    return result
  }
}
