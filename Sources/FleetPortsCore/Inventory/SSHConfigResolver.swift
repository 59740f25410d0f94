extension SSHConfig {
  /// Resolves `alias` as `ssh alias` would: directives top to bottom, a `Host` block by the
  /// alias, a `Match` block by what is known when ssh reaches it (HostName and User obtained
  /// so far), the first value of a keyword winning; when a `Match final` (or `canonical`) line
  /// was reached, the whole configuration is read a second time as ssh's final pass.
  /// - Parameters:
  ///   - alias: the name ssh is given (the inventory's host name).
  ///   - local: this machine's user, home, host name and environment; nil keeps `~`, `%d`,
  ///     `%u`, `%l`, `%C` and `${VAR}` as written (and `Match localuser` never holds).
  ///   - user: a user set before ssh_config is read (the inventory's, like `ssh -l`).
  ///   - port: a port set before ssh_config is read.
  /// - Returns: the resolution; settings fleetports cannot follow are in `unsupported`.
  public func resolve(alias: String, local: SSHLocalContext? = nil, user: String? = nil, port: Int? = nil)
    -> SSHConfigResolution
  {
    var state = SSHConfigResolverState(alias: alias, presetUser: user, local: local)
    state.ignorePatterns = ignoreUnknown
    state.pass(directives, final: false)
    if state.wantsFinalPass { state.pass(directives, final: true) }
    return state.finish(presetPort: port)
  }

  /// `resolve` with only a home directory known (`~` and `%d`).
  public func resolve(alias: String, homeDirectory: String?) -> SSHConfigResolution {
    resolve(alias: alias, local: homeDirectory.map { SSHLocalContext(home: $0) })
  }
}

/// One resolution in progress: what ssh has obtained after the lines read so far.
struct SSHConfigResolverState {
  let alias: String
  let presetUser: String?
  let local: SSHLocalContext?
  var result: SSHConfigResolution
  var obtained: Set<String> = []
  var identityPatterns: [String] = []
  var certificatePatterns: [String] = []
  var knownHostsPatterns: [String] = []
  var wantsFinalPass = false
  /// Lines already judged (a final pass reads them again).
  var judged: Set<SourceLine> = []

  init(alias: String, presetUser: String?, local: SSHLocalContext?) {
    self.alias = alias
    self.presetUser = presetUser
    self.local = local
    result = SSHConfigResolution(alias: alias)
  }

  mutating func pass(_ directives: [SSHConfig.Directive], final: Bool) {
    var verdicts: [SSHConfig.Condition: Bool] = [:]
    for directive in directives {
      var applies = true
      for condition in directive.conditions {
        if verdicts[condition] == nil { verdicts[condition] = holds(condition, final: final) }
        if verdicts[condition] != true {
          applies = false
          break
        }
      }
      if applies { take(directive) }
    }
  }

  /// ssh's verdict on a block's line, met for the first time in this pass.
  mutating func holds(_ condition: SSHConfig.Condition, final: Bool) -> Bool {
    switch condition {
    case .host(let patterns):
      // ssh's final pass matches `Host` lines against the HostName the first pass obtained.
      let name = final ? result.hostName ?? alias : alias
      return SSHPatterns.hostLine(patterns, matches: name)
    case .match(let criteria, let source):
      let context = SSHConfigMatch.Context(
        host: result.hostName ?? alias, originalHost: alias,
        user: presetUser ?? result.user ?? local?.user, localUser: local?.user, finalPass: final)
      switch SSHConfigMatch.evaluate(criteria, in: context) {
      case .holds(let wantsFinal):
        wantsFinalPass = wantsFinalPass || wantsFinal
        return true
      case .fails(let wantsFinal):
        wantsFinalPass = wantsFinalPass || wantsFinal
        return false
      case .cannotEvaluate(let criterion, let reason):
        refuse("Match " + SSHConfigMatch.text(criterion), at: source, reason)
        return false
      }
    }
  }

  mutating func refuse(_ setting: String, at source: SourceLine, _ reason: String) {
    guard judged.insert(source).inserted else { return }
    result.unsupported.append(SSHConfigUnsupported(setting: setting, source: source, reason: reason))
  }

  mutating func take(_ directive: SSHConfig.Directive) {
    let keyword = directive.keyword
    guard let first = directive.arguments.first else { return }
    let accumulates = keyword == "identityfile" || keyword == "certificatefile"
    if !accumulates {
      // ProxyJump and ProxyCommand exclude each other: whichever comes first wins.
      let slot = keyword == "proxycommand" ? "proxyjump" : keyword
      guard obtained.insert(slot).inserted else { return }
    }
    if result.sources[keyword] == nil { result.sources[keyword] = directive.source }
    switch keyword {
    case "hostname":
      let tokens = Set(SSHConfigTokens.used(in: first)).subtracting(["h", "%"])
      if !tokens.isEmpty {
        refuse(
          "HostName \(first)", at: directive.source,
          "HostName accepts only the tokens %h and %% (ssh stops on %\(tokens.sorted().map(String.init).joined(separator: ", %")))")
      }
      // ssh lowercases the name it connects to (and then matches, expands %h and checks keys with it).
      result.hostName = SSHConfigTokens.expand(first, ["h": alias]).lowercased()
    case "user": result.user = first
    case "port": result.port = PortNumber.parse(first)
    case "identityfile": identityPatterns.append(first)
    case "certificatefile": certificatePatterns.append(first)
    case "identitiesonly": result.identitiesOnly = ["yes", "true"].contains(first.lowercased())
    case "identityagent": result.identityAgent = first
    case "proxyjump": result.proxyJump = first.lowercased() == "none" ? nil : first
    case "proxycommand":
      let command = directive.arguments.joined(separator: " ")
      result.proxyCommand = command.lowercased() == "none" ? nil : command
    case "stricthostkeychecking": result.strictHostKeyChecking = first.lowercased()
    case "userknownhostsfile": knownHostsPatterns = first.lowercased() == "none" ? [] : directive.arguments
    case "globalknownhostsfile": result.globalKnownHostsFiles = directive.arguments.map { SSHConfigTokens.tilde($0, home: local?.home) }
    case "hostkeyalias": result.hostKeyAlias = first.lowercased() == "none" ? nil : first
    case "ciphers", "macs", "kexalgorithms", "hostkeyalgorithms": result.algorithms[keyword] = first
    case "connecttimeout": result.connectTimeoutSeconds = first.lowercased() == "none" ? nil : SSHConfigDuration.seconds(first)
    default:
      if let reason = SSHConfigKeywords.refusal(keyword: keyword, arguments: directive.arguments), !ignoredAsUnknown(keyword) {
        let written = directive.arguments.map { $0.contains(" ") ? "\"\($0)\"" : $0 }.joined(separator: " ")
        refuse("\(directive.written) \(written)", at: directive.source, reason)
      }
    }
  }

  /// An unknown keyword `IgnoreUnknown` names (only unknown ones: IgnoreUnknown never hides a known option).
  func ignoredAsUnknown(_ keyword: String) -> Bool {
    guard !SSHConfigKeywords.known.contains(keyword) else { return false }
    return ignorePatterns.contains { Glob.matches($0, keyword) }
  }

  var ignorePatterns: [String] = []

  /// The resolution with file paths expanded once every token's value is known.
  mutating func finish(presetPort: Int?) -> SSHConfigResolution {
    let port = presetPort ?? result.port ?? 22
    let remoteUser = presetUser ?? result.user ?? local?.user
    var tokens: [Character: String] = ["h": result.connectName, "n": alias, "p": String(port), "k": result.hostKeyAlias ?? alias]
    tokens["j"] = result.proxyJump ?? ""
    if let remoteUser { tokens["r"] = remoteUser }
    tokens["d"] = local?.home
    tokens["u"] = local?.user
    tokens["i"] = local?.uid.map(String.init)
    tokens["l"] = local?.hostName
    tokens["L"] = local?.hostName.map { String($0.prefix { $0 != "." }) }
    if let localHost = local?.hostName, let remoteUser {
      tokens["C"] = SSHConfigTokens.connectionHash(local: localHost, host: result.connectName, port: port, user: remoteUser)
    }
    let local = self.local
    let path = { (pattern: String) in SSHConfigTokens.path(pattern, tokens: tokens, local: local) }
    for pattern in identityPatterns {
      let expanded = path(pattern)
      if !result.identityFiles.contains(expanded) { result.identityFiles.append(expanded) }
    }
    for pattern in certificatePatterns {
      let expanded = path(pattern)
      if !result.certificateFiles.contains(expanded) { result.certificateFiles.append(expanded) }
    }
    result.userKnownHostsFiles = knownHostsPatterns.map(path)
    if let agent = result.identityAgent, !["none", "ssh_auth_sock"].contains(agent.lowercased()), !agent.hasPrefix("$") {
      result.identityAgent = path(agent)
    }
    return result
  }
}
