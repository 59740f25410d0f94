/// What ssh_config says for one host alias, as `ssh alias` would see it: for each
/// keyword the first value obtained wins (IdentityFile accumulates). nil: not set.
public struct SSHConfigResolution: Sendable, Hashable {
  /// The name looked up (the inventory host's name).
  public var alias: String
  /// `HostName`, with `%h` replaced by the alias and `%%` by `%`.
  public var hostName: String?
  public var user: String?
  public var port: Int?
  /// Every `IdentityFile` that applies, in order, duplicates dropped; `~` and `%d`
  /// expanded only when a home directory was given, `%h`, `%n`, `%r`, `%p`, `%%` when known.
  public var identityFiles: [String] = []
  /// `ProxyJump` (nil when unset or `none`).
  public var proxyJump: String?
  /// `ProxyCommand` (nil when unset or `none`), arguments joined by blanks.
  public var proxyCommand: String?
  /// `StrictHostKeyChecking` lowercased: yes, no, ask, accept-new or off.
  public var strictHostKeyChecking: String?
  /// The files of the first `UserKnownHostsFile`, expanded like `identityFiles`.
  public var userKnownHostsFiles: [String] = []
  /// The line each value above came from, by lowercased keyword (first IdentityFile line for identityfile).
  public var sources: [String: SourceLine] = [:]
  /// `Match` blocks that could apply and were not evaluated: their settings are missing here.
  public var skippedMatchBlocks: [SourceLine] = []

  public init(alias: String) {
    self.alias = alias
  }

  /// The name to connect to.
  public var connectName: String { hostName ?? alias }
}

extension SSHConfig {
  /// The keywords `resolve` reads; the others are kept in `directives` only.
  static let resolvedKeywords: Set<String> = [
    "hostname", "user", "port", "identityfile", "proxyjump", "proxycommand",
    "stricthostkeychecking", "userknownhostsfile",
  ]

  /// Applies every directive whose `Host` blocks match `alias`, first value winning.
  /// `homeDirectory` expands `~/` and `%d` in file paths; without it they are left as written.
  public func resolve(alias: String, homeDirectory: String? = nil) -> SSHConfigResolution {
    var result = SSHConfigResolution(alias: alias)
    var obtained: Set<String> = []
    var identityPatterns: [String] = []
    var knownHostsPatterns: [String] = []

    for directive in directives where directive.conditions.allSatisfy({ $0.holds(for: alias) }) {
      let keyword = directive.keyword
      guard Self.resolvedKeywords.contains(keyword), let first = directive.arguments.first else { continue }
      if keyword != "identityfile" {
        // ProxyJump and ProxyCommand exclude each other: whichever comes first wins.
        let slot = keyword == "proxycommand" ? "proxyjump" : keyword
        guard obtained.insert(slot).inserted else { continue }
      }
      if result.sources[keyword] == nil { result.sources[keyword] = directive.source }
      switch keyword {
      case "hostname": result.hostName = Self.expand(first, tokens: ["h": alias])
      case "user": result.user = first
      case "port": result.port = PortNumber.parse(first)
      case "identityfile": identityPatterns.append(first)
      case "proxyjump": result.proxyJump = first.lowercased() == "none" ? nil : first
      case "proxycommand":
        let command = directive.arguments.joined(separator: " ")
        result.proxyCommand = command.lowercased() == "none" ? nil : command
      case "stricthostkeychecking": result.strictHostKeyChecking = first.lowercased()
      default: knownHostsPatterns = directive.arguments
      }
    }

    var tokens: [Character: String] = ["h": result.connectName, "n": alias]
    if let home = homeDirectory { tokens["d"] = home }
    if let user = result.user { tokens["r"] = user }
    if let port = result.port { tokens["p"] = String(port) }
    for pattern in identityPatterns {
      let path = Self.expandPath(pattern, tokens: tokens, home: homeDirectory)
      if !result.identityFiles.contains(path) { result.identityFiles.append(path) }
    }
    result.userKnownHostsFiles = knownHostsPatterns.map { Self.expandPath($0, tokens: tokens, home: homeDirectory) }
    result.skippedMatchBlocks =
      matchBlocks
      .filter { block in block.conditions.allSatisfy { $0.holds(for: alias) } }
      .map(\.source)
    return result
  }

  /// `%x` tokens replaced from `tokens`, `%%` by `%`; unknown tokens left as written.
  static func expand(_ text: String, tokens: [Character: String]) -> String {
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

  /// A file path: `~` or `~/…` becomes the home directory when given, then tokens.
  static func expandPath(_ path: String, tokens: [Character: String], home: String?) -> String {
    var path = path
    if let home, path == "~" || path.hasPrefix("~/") {
      path = home + path.dropFirst()
    }
    return expand(path, tokens: tokens)
  }
}
