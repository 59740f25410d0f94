/// Turns ssh_config text into `SSHConfig` directives, line by line, following OpenSSH's
/// readconf.c: `Keyword value`, `Keyword=value`, quotes, `#` comments, `Host` and
/// `Match` blocks, `Include` read in place.
struct SSHConfigReader {
  var config = SSHConfig()
  var problems: [SSHConfigProblem] = []
  let loadInclude: (_ path: String) -> [SSHConfig.IncludedFile]

  /// Keywords whose values fleetports reads, with the values they accept (nil: any).
  static let checkedKeywords: [String: [String]?] = [
    "hostname": nil, "user": nil, "port": nil, "identityfile": nil,
    "proxyjump": nil, "proxycommand": nil, "userknownhostsfile": nil, "globalknownhostsfile": nil,
    "hostkeyalias": nil, "certificatefile": nil, "identityagent": nil,
    "stricthostkeychecking": ["yes", "no", "ask", "accept-new", "off", "true", "false"],
    "identitiesonly": ["yes", "no", "true", "false"],
    "connecttimeout": nil,
  ]

  /// `Match` attributes OpenSSH 9.2 knows; those taking no argument first.
  static let bareMatchAttributes: Set<String> = ["all", "canonical", "final"]
  static let matchAttributes: Set<String> = ["exec", "localnetwork", "host", "originalhost", "tagged", "user", "localuser"]

  mutating func read(_ text: String, file: String, prefix: [SSHConfig.Condition], depth: Int) {
    var block: SSHConfig.Condition?
    for (number, line) in LineTokens.numberedLines(text) {
      let source = SourceLine(file: file, line: number)
      do throws(SSHConfigProblem.Kind) {
        guard let (keyword, written, arguments) = try Self.split(line) else { continue }
        let conditions = prefix + (block.map { [$0] } ?? [])
        switch keyword {
        case "host":
          guard !arguments.isEmpty else { throw .missingArgument(keyword: written) }
          block = .host(patterns: arguments)
        case "match":
          guard !arguments.isEmpty else { throw .missingArgument(keyword: written) }
          block = .match(criteria: try Self.matchCriteria(arguments), source: source)
          config.matchLines.append(source)
        case "include":
          guard !arguments.isEmpty else { throw .missingArgument(keyword: written) }
          config.includes.append(SSHConfig.Include(paths: arguments, source: source, conditions: conditions))
          for path in arguments {
            guard depth + 1 < SSHConfig.maxIncludeDepth else { throw .includeTooDeep(path: path) }
            for included in loadInclude(path) {
              read(included.text, file: included.file, prefix: conditions, depth: depth + 1)
            }
          }
        case "ignoreunknown":
          config.ignoreUnknown += arguments.flatMap { $0.lowercased().split(separator: ",").map(String.init) }
          config.directives.append(SSHConfig.Directive(keyword: keyword, written: written, arguments: arguments, source: source, conditions: conditions))
        default:
          try Self.check(keyword: keyword, written: written, arguments: arguments)
          config.directives.append(SSHConfig.Directive(keyword: keyword, written: written, arguments: arguments, source: source, conditions: conditions))
        }
      } catch {
        problems.append(SSHConfigProblem(error, at: source))
      }
    }
  }

  /// The values ssh itself would refuse the file for.
  static func check(keyword: String, written: String, arguments: [String]) throws(SSHConfigProblem.Kind) {
    guard let accepted = checkedKeywords[keyword] else { return }
    guard let first = arguments.first else { throw .missingArgument(keyword: written) }
    if keyword == "port", PortNumber.parse(first) == nil { throw .invalidPort(first) }
    if keyword == "connecttimeout", first.lowercased() != "none", SSHConfigDuration.seconds(first) == nil {
      throw .invalidValue(keyword: written, value: first, expected: ["a time such as 10, 30s or 1m", "none"])
    }
    if let accepted, !accepted.contains(first.lowercased()) {
      throw .invalidValue(keyword: written, value: first, expected: accepted)
    }
  }

  /// A `Match` line's words as criteria, checked as OpenSSH's match_cfg_line does.
  static func matchCriteria(_ words: [String]) throws(SSHConfigProblem.Kind) -> [SSHConfig.MatchCriterion] {
    var criteria: [SSHConfig.MatchCriterion] = []
    var index = 0
    while index < words.count {
      var attribute = words[index].lowercased()
      index += 1
      let negated = attribute.hasPrefix("!")
      if negated { attribute.removeFirst() }
      if bareMatchAttributes.contains(attribute) {
        criteria.append(SSHConfig.MatchCriterion(attribute: attribute, negated: negated))
        continue
      }
      guard matchAttributes.contains(attribute) else { throw .invalidMatch("unknown criterion '\(words[index - 1])'") }
      guard index < words.count else { throw .invalidMatch("'\(attribute)' needs an argument") }
      criteria.append(SSHConfig.MatchCriterion(attribute: attribute, negated: negated, argument: words[index]))
      index += 1
    }
    // OpenSSH: `all` stands alone, or last after `canonical`/`final`.
    if criteria.contains(where: { $0.attribute == "all" }) {
      let before = criteria.dropLast()
      guard criteria.last?.attribute == "all", before.allSatisfy({ ["canonical", "final"].contains($0.attribute) }) else {
        throw .invalidMatch("'all' cannot be combined with other criteria")
      }
    }
    return criteria
  }

  /// The keyword (lowercased and as written) and its arguments, or nil for a blank or comment line.
  static func split(_ line: Substring) throws(SSHConfigProblem.Kind) -> (String, String, [String])? {
    var words: [String]
    do { words = try LineTokens.words(line) } catch { throw .unterminatedQuote }
    guard !words.isEmpty else { return nil }
    var keyword = words.removeFirst()
    if let equals = keyword.firstIndex(of: "=") {
      let rest = String(keyword[keyword.index(after: equals)...])
      keyword = String(keyword[..<equals])
      if !rest.isEmpty { words.insert(rest, at: 0) }
    } else if let next = words.first, next.hasPrefix("=") {
      let rest = String(next.dropFirst())
      words.removeFirst()
      if !rest.isEmpty { words.insert(rest, at: 0) }
    }
    return (keyword.lowercased(), keyword, words)
  }
}

/// ssh_config's time values (`ConnectTimeout 10`, `30s`, `1m30s`), as OpenSSH's convtime reads them.
enum SSHConfigDuration {
  /// Whole seconds, or nil when the text is not a time.
  static func seconds(_ text: String) -> Int? {
    var total = 0
    var digits = ""
    for character in text.lowercased() {
      if character.isASCII && character.isNumber {
        digits.append(character)
        continue
      }
      let unit: Int
      switch character {
      case "s": unit = 1
      case "m": unit = 60
      case "h": unit = 3600
      case "d": unit = 86400
      case "w": unit = 604800
      default: return nil
      }
      guard let value = Int(digits) else { return nil }
      total += value * unit
      digits = ""
    }
    if !digits.isEmpty {
      guard let value = Int(digits) else { return nil }
      total += value
    }
    return text.isEmpty ? nil : total
  }
}
