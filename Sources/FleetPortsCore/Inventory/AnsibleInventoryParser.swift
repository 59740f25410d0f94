/// Ansible's INI inventory (docs.ansible.com, "How to build your inventory"): hosts
/// under `[group]`, `alias[:port] name=value…` host lines, `[group:children]` nesting,
/// `[group:vars]` (host values win over group values, a child group's over its
/// parent's, as in Ansible), `web[01:03]` ranges. The connection variables become
/// `InventoryHost` fields; every other variable is read and dropped.
enum AnsibleInventoryParser {
  /// A variable's value and where it was set.
  struct Value {
    var text: String
    var source: SourceLine
  }

  enum Section {
    case hosts(String)
    case children(String)
    case vars(String)
  }

  struct State {
    var order: [String] = []
    var firstSource: [String: SourceLine] = [:]
    var hostVars: [String: [String: Value]] = [:]
    var directGroups: [String: Set<String>] = [:]
    var graph = AnsibleGroupGraph()
    var groupVars: [String: [String: Value]] = [:]
  }

  static func parse(_ text: String, file: String) throws(InventoryError) -> Inventory {
    var problems: [InventoryProblem] = []
    var state = State()
    var section = Section.hosts("ungrouped")

    for (number, line) in LineTokens.numberedLines(text) {
      let source = SourceLine(file: file, line: number)
      do throws(InventoryProblem.Kind) {
        let trimmed = line.trimmingWhitespace()
        if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
        let words: [String]
        do { words = try LineTokens.words(line) } catch { throw .unterminatedQuote }
        guard !words.isEmpty else { continue }
        if let header = InventoryParser.sectionHeader(words) {
          section = try parseHeader(header, line: trimmed)
          switch section {
          case .hosts(let name), .children(let name), .vars(let name): state.graph.declare(name)
          }
          continue
        }
        switch section {
        case .hosts(let group):
          try readHostLine(words, group: group, source: source, into: &state)
        case .children(let group):
          guard words.count == 1, InventoryParser.isValidGroupName(Substring(words[0])) else {
            throw .malformedChild(String(trimmed))
          }
          state.graph.add(child: words[0], to: group, at: source)
        case .vars(let group):
          guard let equals = trimmed.firstIndex(of: "=") else { throw .malformedVariable(String(trimmed)) }
          let name = trimmed[..<equals].trimmingWhitespace()
          guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "\t" }) else {
            throw .malformedVariable(String(trimmed))
          }
          let valueWords: [String]
          do { valueWords = try LineTokens.words(trimmed[trimmed.index(after: equals)...]) } catch { throw .unterminatedQuote }
          state.groupVars[group, default: [:]][String(name)] = Value(text: valueWords.joined(separator: " "), source: source)
        }
      } catch {
        problems.append(InventoryProblem(error, at: source))
      }
    }
    guard problems.isEmpty else { throw InventoryError(problems: problems) }
    if let cycle = state.graph.firstCycle() {
      throw InventoryError(problems: [InventoryProblem(.groupCycle(cycle.groups), at: cycle.source)])
    }

    var hosts: [InventoryHost] = []
    for alias in state.order {
      do throws(InventoryProblem) {
        hosts.append(try resolve(alias, state: state))
      } catch {
        problems.append(error)
      }
    }
    guard problems.isEmpty else { throw InventoryError(problems: problems) }
    return Inventory(hosts: hosts)
  }

  static func parseHeader(_ header: Substring, line: Substring) throws(InventoryProblem.Kind) -> Section {
    let parts = header.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count <= 2 else { throw .malformedSection(String(line)) }
    let name = parts[0]
    guard !name.isEmpty else { throw .malformedSection(String(line)) }
    guard InventoryParser.isValidGroupName(name) else { throw .invalidGroupName(String(name)) }
    guard parts.count == 2 else { return .hosts(String(name)) }
    switch parts[1] {
    case "children": return .children(String(name))
    case "vars": return .vars(String(name))
    default: throw .malformedSection(String(line))
    }
  }

  static func readHostLine(_ words: [String], group: String, source: SourceLine, into state: inout State) throws(InventoryProblem.Kind) {
    let spec = try HostSpec.parse(words[0])
    var vars: [String: Value] = [:]
    if let user = spec.user { vars["ansible_user"] = Value(text: user, source: source) }
    if let port = spec.port { vars["ansible_port"] = Value(text: String(port), source: source) }
    for word in words.dropFirst() {
      guard let equals = word.firstIndex(of: "="), equals != word.startIndex else { throw .notAnOption(word) }
      vars[String(word[..<equals])] = Value(text: String(word[word.index(after: equals)...]), source: source)
    }
    let aliases = spec.isIPv6 ? [spec.host] : try HostRange.expand(spec.host)
    for alias in aliases {
      if state.firstSource[alias] == nil {
        state.order.append(alias)
        state.firstSource[alias] = source
      }
      state.hostVars[alias, default: [:]].merge(vars) { _, later in later }
      state.directGroups[alias, default: []].insert(group)
    }
  }

  /// The host's variables after group inheritance, turned into fields.
  static func resolve(_ alias: String, state: State) throws(InventoryProblem) -> InventoryHost {
    let direct = state.directGroups[alias] ?? []
    let groups = state.graph.ancestors(of: direct)
    var vars = state.groupVars["all"] ?? [:]
    let ordered = groups.subtracting(["all"]).sorted { lhs, rhs in
      let (l, r) = (state.graph.depth(of: lhs), state.graph.depth(of: rhs))
      return l != r ? l < r : lhs < rhs
    }
    for group in ordered {
      vars.merge(state.groupVars[group] ?? [:]) { _, later in later }
    }
    vars.merge(state.hostVars[alias] ?? [:]) { _, later in later }

    func value(_ names: String...) -> Value? {
      for name in names { if let value = vars[name] { return value } }
      return nil
    }
    var host = InventoryHost(
      name: alias,
      groups: groups.subtracting(["all", "ungrouped"]).sorted(),
      source: state.firstSource[alias] ?? SourceLine(file: "", line: 0)
    )
    if let address = value("ansible_host", "ansible_ssh_host") {
      guard !address.text.isEmpty else { throw InventoryProblem(.emptyHost("ansible_host="), at: address.source) }
      host.address = address.text
    }
    if let user = value("ansible_user", "ansible_ssh_user") {
      guard !user.text.isEmpty else { throw InventoryProblem(.emptyUser("ansible_user="), at: user.source) }
      host.user = user.text
    }
    if let port = value("ansible_port", "ansible_ssh_port") {
      guard let number = PortNumber.parse(port.text) else { throw InventoryProblem(.invalidPort(port.text), at: port.source) }
      host.port = number
    }
    if let key = value("ansible_ssh_private_key_file", "ansible_private_key_file"), !key.text.isEmpty {
      host.identityFile = key.text
    }
    for name in ["ansible_ssh_common_args", "ansible_ssh_extra_args"] {
      if let args = vars[name], let jump = try proxyJump(in: args) { host.proxyJump = jump }
    }
    if let become = value("ansible_become") {
      guard let flag = BooleanWord.ansible(become.text) else {
        throw InventoryProblem(.invalidBoolean(key: "ansible_become", value: become.text), at: become.source)
      }
      host.sudo = flag
    }
    return host
  }

  /// The jump hosts `-J x`, `-Jx`, `-o ProxyJump=x`, `-oProxyJump=x` or `-o "ProxyJump x"`
  /// name in ssh arguments (the last one wins, as in ssh); nil when none does.
  static func proxyJump(in args: Value) throws(InventoryProblem) -> String? {
    let words: [String]
    do { words = try LineTokens.words(Substring(args.text)) } catch { throw InventoryProblem(.unterminatedQuote, at: args.source) }
    var found: String?
    var index = 0
    while index < words.count {
      let word = words[index]
      index += 1
      var option: String?
      if word == "-J" || word == "-o" {
        guard index < words.count else { break }
        option = (word == "-J" ? "ProxyJump=" : "") + words[index]
        index += 1
      } else if word.hasPrefix("-J") {
        option = "ProxyJump=" + word.dropFirst(2)
      } else if word.hasPrefix("-o") {
        option = String(word.dropFirst(2))
      }
      guard let option else { continue }
      let parts = option.split(maxSplits: 1, whereSeparator: { $0 == "=" || $0 == " " })
      if parts.count == 2, parts[0].lowercased() == "proxyjump" {
        let value = parts[1].trimmingWhitespace()
        found = value.lowercased() == "none" ? nil : String(value)
      }
    }
    return found
  }
}
