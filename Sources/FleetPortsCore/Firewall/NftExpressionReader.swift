/// Turns one nftables rule's `expr` array (libnftables-json(5) "STATEMENTS" and "EXPRESSIONS")
/// into matches, an action and the rule's text in nft's own syntax. What it does not
/// understand becomes `RuleMatch.unknown` (a match) or `RuleAction.unknown` (a statement that
/// may end the chain), with its text: never dropped.
struct NftExpressionReader {
  let sets: [String: FirewallSet]

  init(sets: [FirewallSet]) {
    self.sets = Dictionary(sets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
  }

  func rule(_ expressions: [NftJSON], position: Int, comment: String?) -> FirewallRule {
    var matches: [RuleMatch] = []
    var action = RuleAction.continue
    var words: [String] = []
    func setAction(_ new: RuleAction) { if case .continue = action { action = new } }
    for expression in expressions {
      guard let (kind, value) = expression.tagged else {
        matches.append(.unknown(expression.text))
        words.append(expression.text)
        continue
      }
      switch kind {
      case "match":
        let op = value["op"]?.string ?? "=="
        guard let left = value["left"], let right = value["right"] else {
          matches.append(.unknown(expression.text))
          words.append(expression.text)
          continue
        }
        let text = NftRender.match(left: left, op: op, right: right)
        matches += match(left: left, op: op, right: right, text: text)
        words.append(text)
      case "accept", "drop", "return":
        setAction(kind == "accept" ? .accept : kind == "drop" ? .drop : .return)
        words.append(kind)
      case "continue":
        words.append(kind)
      case "jump", "goto":
        guard let target = value["target"]?.string else {
          setAction(.unknown(expression.text))
          words.append(expression.text)
          continue
        }
        setAction(kind == "jump" ? .jump(target) : .goto(target))
        words.append("\(kind) \(target)")
      case "reject":
        setAction(.reject)
        words.append("reject" + (value["type"]?.string.map { " with \($0)" } ?? ""))
      case "counter":
        words.append("counter")
      case "log":
        words.append("log" + (value["prefix"]?.string.map { " prefix \(NftJSON.quoted($0))" } ?? ""))
      case "dnat", "redirect":
        let (rewrite, text) = nat(kind, value)
        setAction(rewrite)
        words.append(text)
      case "masquerade", "snat", "mangle", "notrack", "set", "ct helper", "ct timeout", "ct expectation", "dup", "tproxy_mark", "meta":
        // Source NAT happens after the routing decision; marks and helpers change no verdict.
        words.append(kind)
      case "xt":
        let (xtMatches, xtAction, text) = xt(value)
        matches += xtMatches
        if let xtAction { setAction(xtAction) }
        words.append(text)
      case "vmap":
        setAction(verdictMap(value) ?? .unknown(expression.text))
        words.append(NftRender.value(value["key"] ?? .null) + " vmap " + NftRender.value(value["data"] ?? .null))
      case "limit", "quota", "meter", "connlimit":
        // Rate and quota conditions: whether they hold depends on traffic.
        matches.append(.unknown("\(kind) \(value.text)"))
        words.append("\(kind) \(value.text)")
      case "queue", "fwd", "synproxy", "tproxy":
        setAction(.unknown("\(kind) \(value.text)"))
        words.append(kind)
      default:
        matches.append(.unknown(expression.text))
        words.append(expression.text)
      }
    }
    if let comment { words.append("comment \(NftJSON.quoted(comment))") }
    return FirewallRule(position: position, matches: matches, action: action, text: words.joined(separator: " "))
  }

  // MARK: Matches

  /// The matches a `match` expression stands for: the field's implied dependencies, then the
  /// condition; `[.unknown(text)]` when the field or the value is not understood.
  func match(left: NftJSON, op: String, right: NftJSON, text: String) -> [RuleMatch] {
    let unknown = [RuleMatch.unknown(text)]
    guard let (kind, selector) = left.tagged else { return unknown }
    let negated = op == "!="
    let comparison = ["==", "!=", "in"].contains(op)
    switch kind {
    case "payload":
      guard let proto = selector["protocol"]?.string, let field = selector["field"]?.string else { return unknown }
      var dependencies: [RuleMatch] = []
      if proto == "ip" || proto == "ip6" { dependencies.append(.family(proto == "ip" ? .ipv4 : .ipv6)) }
      if let transport = IPProtocolNames.transport(proto) { dependencies.append(.l4proto([transport], negated: false)) }
      if proto == "icmp" { dependencies.append(.l4proto([1], negated: false)) }
      if proto == "icmpv6" { dependencies.append(.l4proto([58], negated: false)) }
      switch (proto, field) {
      case ("ip", "saddr"), ("ip", "daddr"), ("ip6", "saddr"), ("ip6", "daddr"):
        guard comparison, let addresses = addresses(right) else { return dependencies + unknown }
        return dependencies + [field == "saddr" ? .sourceAddress(addresses, negated: negated) : .destinationAddress(addresses, negated: negated)]
      case ("ip", "protocol"), ("ip6", "nexthdr"):
        guard comparison, let protocols = protocols(right) else { return dependencies + unknown }
        return dependencies + [.l4proto(protocols, negated: negated)]
      case (_, "sport"), (_, "dport"):
        guard IPProtocolNames.transport(proto) != nil || proto == "th", let ports = ports(right, op: op) else {
          return dependencies + unknown
        }
        return dependencies + [field == "dport" ? .destinationPort(ports, negated: negated) : .sourcePort(ports, negated: negated)]
      default:
        return dependencies + unknown
      }
    case "meta":
      guard comparison, let key = selector["key"]?.string else { return unknown }
      switch key {
      case "iifname", "oifname", "iif", "oif":
        guard let names = words(right) else { return unknown }
        let patterns = names.map(InterfacePattern.init)
        return [key.hasPrefix("i") ? .inputInterface(patterns, negated: negated) : .outputInterface(patterns, negated: negated)]
      case "l4proto":
        guard let protocols = protocols(right) else { return unknown }
        return [.l4proto(protocols, negated: negated)]
      case "nfproto", "protocol":
        guard let names = words(right), names.count == 1, let name = names.first else { return unknown }
        let ipv4 = name == "ipv4" || name == "ip"
        guard ipv4 || name == "ipv6" || name == "ip6" else { return unknown }
        return [.family(ipv4 != negated ? .ipv4 : .ipv6)]
      default:
        return unknown
      }
    case "ct":
      guard comparison, let key = selector["key"]?.string, key == "state" || key == "status", selector["dir"] == nil,
        let names = words(right)
      else { return unknown }
      let set = Set(names.map { $0.lowercased() })
      return [key == "state" ? .conntrackState(set, negated: negated) : .conntrackStatus(set, negated: negated)]
    case "fib":
      guard comparison, selector["result"]?.string == "type", let flags = selector["flags"], fibFlags(flags) == ["daddr"],
        let names = words(right)
      else { return unknown }
      return [.destinationType(Set(names.map { $0.lowercased() }), negated: negated)]
    default:
      return unknown
    }
  }

  private func fibFlags(_ flags: NftJSON) -> [String] {
    if let single = flags.string { return [single] }
    return flags.array?.compactMap(\.string) ?? []
  }

  // MARK: Values

  /// The elements a right-hand side stands for; nil when one of them is not readable or a
  /// named set's contents are not fixed (unknown set, `dynamic` or `timeout` flags).
  func elements(_ value: NftJSON, depth: Int = 0) -> [FirewallSetElement]? {
    guard depth < 8 else { return nil }
    switch value {
    case .string(let text):
      if text.hasPrefix("@") {
        guard let set = sets[String(text.dropFirst())], !set.flags.contains("dynamic"), !set.flags.contains("timeout") else { return nil }
        if set.elements.contains(where: { if case .unknown = $0 { return true } else { return false } }) { return nil }
        return set.elements
      }
      return [NftExpressionReader.element(text)]
    case .number:
      return value.int.map { [.number($0)] }
    case .array(let items):
      var result: [FirewallSetElement] = []
      for item in items {
        guard let elements = elements(item, depth: depth + 1) else { return nil }
        result += elements
      }
      return result
    case .object:
      guard let (kind, body) = value.tagged else { return nil }
      switch kind {
      case "set":
        if let items = body.array { return elements(.array(items), depth: depth + 1) }
        return elements(body, depth: depth + 1)
      case "elem":
        return body["val"].flatMap { elements($0, depth: depth + 1) }
      case "prefix", "range", "concat":
        let element = NftExpressionReader.element(value)
        if case .unknown = element { return nil }
        return [element]
      default:
        return nil
      }
    default:
      return nil
    }
  }

  /// One element from its text: an address, else a word.
  static func element(_ text: String) -> FirewallSetElement {
    if let addresses = AddressRangeSet.parse(text) { return .addresses(addresses) }
    return .word(text)
  }

  /// One element of a set's `elem` list, or of an anonymous set.
  static func element(_ value: NftJSON) -> FirewallSetElement {
    switch value {
    case .string(let text): return element(text)
    case .number: return value.int.map(FirewallSetElement.number) ?? .unknown(value.text)
    default: break
    }
    guard let (kind, body) = value.tagged else { return .unknown(value.text) }
    switch kind {
    case "prefix":
      guard let address = body["addr"]?.string, let length = body["len"]?.int,
        let set = AddressRangeSet.parse("\(address)/\(length)")
      else { return .unknown(value.text) }
      return .addresses(set)
    case "range":
      guard let bounds = body.array, bounds.count == 2 else { return .unknown(value.text) }
      if let low = bounds[0].int, let high = bounds[1].int, (0...65535).contains(low), (0...65535).contains(high), low <= high {
        return .ports(PortRangeSet([UInt16(low)...UInt16(high)]))
      }
      if let low = bounds[0].string, let high = bounds[1].string, let set = AddressRangeSet.parse("\(low)-\(high)") {
        return .addresses(set)
      }
      return .unknown(value.text)
    case "concat":
      guard let parts = body.array else { return .unknown(value.text) }
      return .concatenation(parts.map(element))
    case "elem":
      return body["val"].map(element) ?? .unknown(value.text)
    default:
      return .unknown(value.text)
    }
  }

  func addresses(_ value: NftJSON) -> AddressRangeSet? {
    guard let elements = elements(value), !elements.isEmpty else { return nil }
    var result = AddressRangeSet()
    for element in elements {
      guard case .addresses(let set) = element else { return nil }
      result = result.union(set)
    }
    return result
  }

  func ports(_ value: NftJSON, op: String) -> PortRangeSet? {
    if ["<", "<=", ">", ">="].contains(op) {
      guard let bound = value.int, (0...65535).contains(bound) else { return nil }
      switch op {
      case "<": return bound == 0 ? PortRangeSet([]) : PortRangeSet([0...UInt16(bound - 1)])
      case "<=": return PortRangeSet([0...UInt16(bound)])
      case ">": return bound == 65535 ? PortRangeSet([]) : PortRangeSet([UInt16(bound + 1)...65535])
      default: return PortRangeSet([UInt16(bound)...65535])
      }
    }
    guard ["==", "!=", "in"].contains(op), let elements = elements(value), !elements.isEmpty else { return nil }
    var ranges: [ClosedRange<UInt16>] = []
    for element in elements {
      switch element {
      case .number(let port) where (0...65535).contains(port): ranges.append(UInt16(port)...UInt16(port))
      case .ports(let set): ranges += set.ranges
      case .word(let name):
        guard let port = NftExpressionReader.serviceNames[name] else { return nil }
        ranges.append(port...port)
      default: return nil
      }
    }
    return PortRangeSet(ranges)
  }

  /// Service names nft may print where `-nn` was not given (`nft -j` prints numbers).
  static let serviceNames: [String: UInt16] = ["ssh": 22, "http": 80, "https": 443, "domain": 53, "smtp": 25, "ntp": 123]

  func protocols(_ value: NftJSON) -> Set<UInt8>? {
    guard let elements = elements(value), !elements.isEmpty else { return nil }
    var result: Set<UInt8> = []
    for element in elements {
      switch element {
      case .number(let number) where (0...255).contains(number): result.insert(UInt8(number))
      case .word(let name):
        guard let number = IPProtocolNames.number(name) else { return nil }
        result.insert(number)
      default: return nil
      }
    }
    return result
  }

  func words(_ value: NftJSON) -> [String]? {
    guard let elements = elements(value), !elements.isEmpty else { return nil }
    var result: [String] = []
    for element in elements {
      switch element {
      case .word(let word): result.append(word)
      // An interface called like an address (rare) or a number-named one.
      case .number(let number): result.append(String(number))
      default: return nil
      }
    }
    return result
  }

  // MARK: Statements

  func nat(_ kind: String, _ value: NftJSON) -> (RuleAction, String) {
    let port = value["port"]
    let portNumber = port?.int.flatMap { (0...65535).contains($0) ? UInt16($0) : nil }
    let text = "\(kind) to " + (value["addr"].map(NftRender.value) ?? "") + (port.map { ":" + NftRender.value($0) } ?? "")
    if port != nil && portNumber == nil { return (.unknown(text), text) }
    if kind == "redirect" { return (.redirect(port: portNumber), value == .null ? "redirect" : text) }
    guard let addressText = value["addr"]?.string else {
      return (value["addr"] == nil && portNumber != nil ? .dnat(address: nil, port: portNumber) : .unknown(text), text)
    }
    guard let address = AddressRangeSet.address(Substring(addressText)) else { return (.unknown(text), text) }
    return (.dnat(address: address, port: portNumber), text)
  }

  /// iptables-nft's compat expressions: `{"xt": {"type": "match"|"target"|"watcher", "name": …}}`.
  /// Their parameters are not in the JSON, so a match is unknown; targets that change no verdict
  /// are let through, DNAT/REDIRECT and unknown targets are unknown actions.
  func xt(_ value: NftJSON) -> ([RuleMatch], RuleAction?, String) {
    let type = value["type"]?.string ?? "?"
    let name = value["name"]?.string ?? "?"
    let text = "xt \(type) \(name)"
    switch type {
    case "match": return ([.unknown(text)], nil, text)
    case "target":
      if IptablesTargets.nonTerminal.contains(name) { return ([], nil, text) }
      if name == "REJECT" { return ([], .reject, text) }
      return ([], .unknown(text + " (its parameters are not in nft's JSON)"), text)
    default:
      return ([], nil, text)
    }
  }

  func verdictMap(_ value: NftJSON) -> RuleAction? {
    guard let key = value["key"], let pairs = value["data"]?["set"]?.array else { return nil }
    var entries: [VerdictMapEntry] = []
    for pair in pairs {
      guard let items = pair.array, items.count == 2, let (verdict, body) = items[1].tagged else { return nil }
      let action: RuleAction
      switch verdict {
      case "accept": action = .accept
      case "drop": action = .drop
      case "return": action = .return
      case "continue": action = .continue
      case "jump", "goto":
        guard let target = body["target"]?.string else { return nil }
        action = verdict == "jump" ? .jump(target) : .goto(target)
      default: return nil
      }
      let matches = match(left: key, op: "==", right: items[0], text: "")
      if matches.contains(where: { if case .unknown = $0 { return true } else { return false } }) { return nil }
      entries.append(VerdictMapEntry(matches: matches, action: action))
    }
    return .verdictMap(entries)
  }

  // MARK: Sets

  static func set(_ object: NftJSON, name: String) -> FirewallSet {
    let keyType = object["type"]?.string.map { [$0] } ?? object["type"]?.array?.compactMap(\.string) ?? []
    let flags = object["flags"]?.string.map { [$0] } ?? object["flags"]?.array?.compactMap(\.string) ?? []
    var elements: [FirewallSetElement] = []
    for item in object["elem"]?.array ?? [] {
      // A map's element is [key, value]: the key is what a lookup matches.
      if let pair = item.array, pair.count == 2 {
        elements.append(element(pair[0]))
      } else {
        elements.append(element(item))
      }
    }
    // A map, or a set whose elements are ports by type, keeps numbers; interval port sets come as ranges.
    return FirewallSet(name: name, keyType: keyType, flags: object["map"] != nil ? flags + ["map"] : flags, elements: elements)
  }
}
