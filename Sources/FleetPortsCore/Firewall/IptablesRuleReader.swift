/// Why one `-A` line could not be read.
struct IptablesRuleProblem: Error, Hashable, Sendable {
  var reason: String
}

/// Reads the arguments of one `-A CHAIN …` line after the chain name into matches and an action.
enum IptablesRuleReader {
  /// Modules whose options are read; any other `-m` module becomes an unknown match.
  static let knownModules: Set<String> = ["tcp", "udp", "sctp", "dccp", "udplite", "multiport", "conntrack", "state", "addrtype", "comment", "iprange"]

  static func read(_ tokens: [String], family: IPFamily) -> Result<([RuleMatch], RuleAction), IptablesRuleProblem> {
    var matches: [RuleMatch] = []
    var action = RuleAction.continue
    var module = ""
    var unknownModule: [String] = []
    var index = 0
    var negate = false
    func flushUnknown() {
      if !unknownModule.isEmpty { matches.append(.unknown(unknownModule.joined(separator: " "))) }
      unknownModule = []
    }
    func argument() throws(IptablesRuleProblem) -> String {
      index += 1
      guard index < tokens.count else { throw IptablesRuleProblem(reason: "\(tokens[index - 1]) without its argument") }
      return tokens[index]
    }
    do throws(IptablesRuleProblem) {
      while index < tokens.count {
        let token = tokens[index]
        if token == "!" {
          negate = true
          index += 1
          continue
        }
        let negated = negate
        negate = false
        switch token {
        case "-s", "--source", "-d", "--destination":
          let text = try argument()
          guard let set = addresses(text, family: family) else { throw IptablesRuleProblem(reason: "address \(text) not understood") }
          matches.append(token.hasPrefix("-s") || token == "--source" ? .sourceAddress(set, negated: negated) : .destinationAddress(set, negated: negated))
        case "-p", "--protocol":
          let text = try argument()
          if text == "all" || text == "0" { break }
          guard let number = IPProtocolNames.number(text) else { throw IptablesRuleProblem(reason: "protocol \(text) not understood") }
          matches.append(.l4proto([number], negated: negated))
        case "-i", "--in-interface", "-o", "--out-interface":
          let pattern = InterfacePattern(try argument())
          matches.append(token.hasPrefix("-i") || token == "--in-interface" ? .inputInterface([pattern], negated: negated) : .outputInterface([pattern], negated: negated))
        case "-m", "--match":
          flushUnknown()
          module = try argument()
          if !knownModules.contains(module) { unknownModule = (negated ? ["!"] : []) + ["-m", module] }
        case "-j", "--jump":
          flushUnknown()
          let target = try argument()
          var options: [String] = []
          while index + 1 < tokens.count, tokens[index + 1].hasPrefix("--") {
            options.append(try argument())
            if index + 1 < tokens.count, !tokens[index + 1].hasPrefix("-") { options.append(try argument()) }
          }
          action = try targetAction(target, options: options)
        case "-g", "--goto":
          flushUnknown()
          action = .goto(try argument())
        case "-c", "--set-counters":
          _ = try argument()
          _ = try argument()
        case "-4", "-6":
          break
        case "-f", "--fragment":
          matches.append(.unknown((negated ? "! " : "") + "-f"))
        default:
          guard token.hasPrefix("--") else { throw IptablesRuleProblem(reason: "unexpected argument \(token)") }
          if !unknownModule.isEmpty {
            if negated { unknownModule.append("!") }
            unknownModule.append(token)
            if index + 1 < tokens.count, !tokens[index + 1].hasPrefix("-") || Int(tokens[index + 1]) != nil { unknownModule.append(try argument()) }
          } else {
            try moduleOption(token, module: module, negated: negated, next: argument, into: &matches)
          }
        }
        index += 1
      }
    } catch {
      return .failure(error)
    }
    flushUnknown()
    return .success((matches, action))
  }

  static func addresses(_ text: String, family: IPFamily) -> AddressRangeSet? {
    guard let set = AddressRangeSet.parse(text) else { return nil }
    // iptables-save only prints its own family; an IPv4 literal in ip6tables is not an address.
    let inFamily = family == .ipv4 ? set.isSubset(of: .allIPv4) : !text.contains(".") || text.contains(":")
    return inFamily ? set : nil
  }

  /// An option of a known module (`--dport 22`, `--ctstate NEW`, …).
  static func moduleOption(
    _ option: String, module: String, negated: Bool, next: () throws(IptablesRuleProblem) -> String, into matches: inout [RuleMatch]
  ) throws(IptablesRuleProblem) {
    switch (module, option) {
    case (_, "--dport"), (_, "--destination-port"), ("multiport", "--dports"), ("multiport", "--destination-ports"):
      let text = try next()
      guard let ports = PortRangeSet.parseIptables(Substring(text)) else { throw IptablesRuleProblem(reason: "ports \(text) not understood") }
      matches.append(.destinationPort(ports, negated: negated))
    case (_, "--sport"), (_, "--source-port"), ("multiport", "--sports"), ("multiport", "--source-ports"):
      let text = try next()
      guard let ports = PortRangeSet.parseIptables(Substring(text)) else { throw IptablesRuleProblem(reason: "ports \(text) not understood") }
      matches.append(.sourcePort(ports, negated: negated))
    case ("tcp", "--syn"):
      // The first packet of a NEW TCP connection is a SYN: `--syn` holds, `! --syn` does not.
      if negated { matches.append(.conntrackState([], negated: false)) }
    case ("conntrack", "--ctstate"), ("state", "--state"):
      let states = Set(try next().lowercased().split(separator: ",").map(String.init))
      matches.append(.conntrackState(states, negated: negated))
    case ("conntrack", "--ctstatus"):
      let states = Set(try next().lowercased().split(separator: ",").map(String.init))
      matches.append(.conntrackStatus(states, negated: negated))
    case ("addrtype", "--dst-type"):
      let types = Set(try next().lowercased().split(separator: ",").map(String.init))
      matches.append(.destinationType(types, negated: negated))
    case ("iprange", "--src-range"), ("iprange", "--dst-range"):
      let text = try next()
      guard let set = AddressRangeSet.parse(text) else { throw IptablesRuleProblem(reason: "range \(text) not understood") }
      matches.append(option == "--src-range" ? .sourceAddress(set, negated: negated) : .destinationAddress(set, negated: negated))
    case ("comment", "--comment"):
      _ = try next()
    default:
      // An option of a known module this model does not read (`--tcp-flags`, `--ctorigdst`, `--src-type`…).
      var text = (negated ? "! " : "") + "-m \(module) \(option)"
      var values: [String] = []
      if option == "--tcp-flags" {
        values = [try next(), try next()]
      } else if !["--syn"].contains(option) {
        values = [try next()]
      }
      text += values.map { " " + $0 }.joined()
      matches.append(.unknown(text))
    }
  }

  static func targetAction(_ target: String, options: [String]) throws(IptablesRuleProblem) -> RuleAction {
    func value(_ name: String) -> String? {
      guard let at = options.firstIndex(of: name), at + 1 < options.count else { return nil }
      return options[at + 1]
    }
    switch target {
    case "ACCEPT": return .accept
    case "DROP": return .drop
    case "REJECT": return .reject
    case "RETURN": return .return
    case "DNAT":
      guard let destination = value("--to-destination"), let rewrite = dnat(destination) else {
        return .unknown("-j DNAT " + options.joined(separator: " "))
      }
      return rewrite
    case "REDIRECT":
      guard let ports = value("--to-ports") else { return .redirect(port: nil) }
      guard let port = UInt16(ports) else { return .unknown("-j REDIRECT --to-ports \(ports)") }
      return .redirect(port: port)
    default:
      if IptablesTargets.nonTerminal.contains(target) { return .continue }
      // A user chain, or an extension target (resolved when the table is complete).
      return .jump(target)
    }
  }

  /// `172.17.0.2:80`, `172.17.0.2`, `[fd00::2]:80`, `:8080`; a range (`a-b`, `80-90`) is unknown.
  static func dnat(_ text: String) -> RuleAction? {
    var addressText = Substring(text)
    var portText: Substring?
    if addressText.hasPrefix("[") {
      guard let close = addressText.firstIndex(of: "]") else { return nil }
      let rest = addressText[addressText.index(after: close)...]
      addressText = addressText[addressText.index(after: addressText.startIndex)..<close]
      if rest.hasPrefix(":") { portText = rest.dropFirst() }
    } else if addressText.filter({ $0 == ":" }).count == 1, let colon = addressText.firstIndex(of: ":") {
      portText = addressText[addressText.index(after: colon)...]
      addressText = addressText[..<colon]
    }
    var port: UInt16?
    if let portText {
      guard let number = UInt16(portText) else { return nil }
      port = number
    }
    if addressText.isEmpty { return port.map { .dnat(address: nil, port: $0) } }
    guard let address = AddressRangeSet.address(addressText) else { return nil }
    return .dnat(address: address, port: port)
  }
}
