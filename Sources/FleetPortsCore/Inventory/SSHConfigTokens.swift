/// ssh_config's `%x` tokens, `~` and `${VAR}`, expanded as OpenSSH 9.2 expands them.
enum SSHConfigTokens {
  /// `%x` replaced from `tokens`, `%%` by `%`; unknown tokens left as written.
  static func expand(_ text: String, _ tokens: [Character: String]) -> String {
    var result = ""
    var percent = false
    for character in text {
      if percent {
        if character == "%" {
          result.append("%")
        } else if let value = tokens[character] {
          result += value
        } else {
          result += "%" + String(character)
        }
        percent = false
      } else if character == "%" {
        percent = true
      } else {
        result.append(character)
      }
    }
    if percent { result.append("%") }
    return result
  }

  /// The token letters `text` uses (`%` for `%%`).
  static func used(in text: String) -> [Character] {
    var found: [Character] = []
    var percent = false
    for character in text {
      if percent {
        found.append(character)
        percent = false
      } else if character == "%" {
        percent = true
      }
    }
    return found
  }

  /// `~` or `~/…` with the home directory put in front, when known.
  static func tilde(_ path: String, home: String?) -> String {
    guard let home, path == "~" || path.hasPrefix("~/") else { return path }
    return home + path.dropFirst()
  }

  /// A file path: `~`, then `${VAR}` from the environment (when a local context is known), then tokens.
  static func path(_ pattern: String, tokens: [Character: String], local: SSHLocalContext?) -> String {
    var path = tilde(pattern, home: local?.home)
    if let environment = local?.environment { path = variables(path, environment) }
    return expand(path, tokens)
  }

  /// `${NAME}` replaced by the variable's value; unset variables left as written (ssh stops on them).
  static func variables(_ text: String, _ environment: [String: String]) -> String {
    var result = ""
    var rest = Substring(text)
    while let dollar = rest.firstIndex(of: "$") {
      let brace = rest.index(after: dollar)
      result += rest[..<dollar]
      guard brace < rest.endIndex, rest[brace] == "{", let close = rest[brace...].firstIndex(of: "}") else {
        result.append("$")
        rest = rest[brace...]
        continue
      }
      let name = String(rest[rest.index(after: brace)..<close])
      result += environment[name] ?? "${\(name)}"
      rest = rest[rest.index(after: close)...]
    }
    return result + rest
  }

  /// `%C`: the SHA-1 of `%l%h%p%r` in lowercase hex, as OpenSSH 9.2's ssh_connection_hash.
  static func connectionHash(local: String, host: String, port: Int, user: String) -> String {
    let digest = SHA1.hash(Array((local + host + String(port) + user).utf8))
    return digest.map { byte in
      let hex = String(byte, radix: 16)
      return byte < 16 ? "0" + hex : hex
    }.joined()
  }
}

/// OpenSSH's pattern lists (match.c): `Host` lines take blank-separated patterns, `Match`
/// criteria comma-separated ones; a `!pattern` that matches vetoes the line.
enum SSHPatterns {
  /// A `Host` line: some pattern matches and no negated one does; names compare lowercased.
  static func hostLine(_ patterns: [String], matches name: String) -> Bool {
    list(patterns, matches: name.lowercased(), lowercase: true)
  }

  /// A `Match` criterion's `a,b,!c` list.
  static func commaList(_ text: String, matches name: String, lowercase: Bool) -> Bool {
    list(text.split(separator: ",").map(String.init), matches: lowercase ? name.lowercased() : name, lowercase: lowercase)
  }

  static func list(_ patterns: [String], matches name: String, lowercase: Bool) -> Bool {
    var matched = false
    for raw in patterns {
      let pattern = lowercase ? raw.lowercased() : raw
      if pattern.hasPrefix("!") {
        if Glob.matches(String(pattern.dropFirst()), name) { return false }
      } else if Glob.matches(pattern, name) {
        matched = true
      }
    }
    return matched
  }
}

/// How a `Match` line is judged (OpenSSH 9.2 readconf.c match_cfg_line, with
/// CanonicalizeHostname off): criteria left to right, stopping at the first that fails.
enum SSHConfigMatch {
  /// What ssh knows when it reaches the line.
  struct Context {
    /// HostName obtained so far (tokens expanded), else the name ssh was given.
    var host: String
    var originalHost: String
    /// User obtained so far (the command line's first), else the local user.
    var user: String?
    var localUser: String?
    /// The second reading `Match final` asks for.
    var finalPass: Bool
  }

  enum Verdict: Hashable {
    /// `wantsFinal`: a `final` criterion was reached, so ssh reads the files again.
    case holds(wantsFinal: Bool)
    case fails(wantsFinal: Bool)
    /// `exec`, `localnetwork`, `tagged`: fleetports does not evaluate them.
    case cannotEvaluate(SSHConfig.MatchCriterion, reason: String)
  }

  static func evaluate(_ criteria: [SSHConfig.MatchCriterion], in context: Context) -> Verdict {
    var wantsFinal = false
    for criterion in criteria {
      let result: Bool
      switch criterion.attribute {
      case "all": result = true
      case "canonical", "final":
        if criterion.attribute == "final" { wantsFinal = true }
        result = context.finalPass
      case "host": result = SSHPatterns.commaList(criterion.argument ?? "", matches: context.host, lowercase: true)
      case "originalhost": result = SSHPatterns.commaList(criterion.argument ?? "", matches: context.originalHost, lowercase: true)
      case "user":
        guard let user = context.user else { return .cannotEvaluate(criterion, reason: "the local user is not known") }
        result = SSHPatterns.commaList(criterion.argument ?? "", matches: user, lowercase: false)
      case "localuser":
        guard let user = context.localUser else { return .cannotEvaluate(criterion, reason: "the local user is not known") }
        result = SSHPatterns.commaList(criterion.argument ?? "", matches: user, lowercase: false)
      case "exec":
        return .cannotEvaluate(
          criterion, reason: "fleetports never runs commands from ssh_config, so it cannot tell whether this block applies")
      default:
        return .cannotEvaluate(criterion, reason: "fleetports does not evaluate Match \(criterion.attribute)")
      }
      if result == criterion.negated { return .fails(wantsFinal: wantsFinal) }
    }
    return .holds(wantsFinal: wantsFinal)
  }

  /// The criterion as written in the file, for messages.
  static func text(_ criterion: SSHConfig.MatchCriterion) -> String {
    let name = (criterion.negated ? "!" : "") + criterion.attribute
    guard let argument = criterion.argument else { return name }
    return name + " " + (argument.contains(" ") ? "\"\(argument)\"" : argument)
  }
}
