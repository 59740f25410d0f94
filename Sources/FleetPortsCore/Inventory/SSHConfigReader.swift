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
    "proxyjump": nil, "proxycommand": nil, "userknownhostsfile": nil,
    "stricthostkeychecking": ["yes", "no", "ask", "accept-new", "off"],
  ]

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
          if arguments.map({ $0.lowercased() }) == ["all"] {
            block = .matchAll
          } else {
            block = .match(criteria: arguments)
            config.matchBlocks.append(SSHConfig.MatchBlock(criteria: arguments, source: source, conditions: prefix))
          }
        case "include":
          guard !arguments.isEmpty else { throw .missingArgument(keyword: written) }
          config.includes.append(SSHConfig.Include(paths: arguments, source: source, conditions: conditions))
          for path in arguments {
            guard depth + 1 < SSHConfig.maxIncludeDepth else { throw .includeTooDeep(path: path) }
            for included in loadInclude(path) {
              read(included.text, file: included.file, prefix: conditions, depth: depth + 1)
            }
          }
        default:
          if let accepted = Self.checkedKeywords[keyword] {
            guard let first = arguments.first else { throw .missingArgument(keyword: written) }
            if keyword == "port", PortNumber.parse(first) == nil { throw .invalidPort(first) }
            if let accepted, !accepted.contains(first.lowercased()) {
              throw .invalidValue(keyword: written, value: first, expected: accepted)
            }
          }
          config.directives.append(SSHConfig.Directive(keyword: keyword, arguments: arguments, source: source, conditions: conditions))
        }
      } catch {
        problems.append(SSHConfigProblem(error, at: source))
      }
    }
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
