/// fleetports' own inventory: one host a line, `[user@]host[:port]` then `key=value`
/// options (user, port, key, groups, sudo); `[group]` headers; `#` comments. A host
/// listed again (same address and port) is merged: groups are united, other values
/// must agree.
enum NativeInventoryParser {
  static let knownKeys = ["user", "port", "key", "groups", "sudo"]

  static func parse(_ text: String, file: String) throws(InventoryError) -> Inventory {
    var problems: [InventoryProblem] = []
    var hosts: [InventoryHost] = []
    var index: [HostKey: Int] = [:]
    var group: String?

    for (number, line) in LineTokens.numberedLines(text) {
      let source = SourceLine(file: file, line: number)
      do throws(InventoryProblem.Kind) {
        let words: [String]
        do { words = try LineTokens.words(line) } catch { throw .unterminatedQuote }
        guard !words.isEmpty else { continue }
        if let header = InventoryParser.sectionHeader(words) {
          if header.isEmpty || header.contains(":") { throw .malformedSection(String(line.trimmingWhitespace())) }
          guard InventoryParser.isValidGroupName(header) else { throw .invalidGroupName(String(header)) }
          group = String(header)
          continue
        }
        for host in try hostsOfLine(words, group: group, source: source) {
          let key = HostKey(address: host.address.lowercased(), port: host.port)
          if let existing = index[key] {
            hosts[existing] = try merge(hosts[existing], host)
          } else {
            index[key] = hosts.count
            hosts.append(host)
          }
        }
      } catch {
        problems.append(InventoryProblem(error, at: source))
      }
    }
    guard problems.isEmpty else { throw InventoryError(problems: problems) }
    return Inventory(hosts: hosts)
  }

  struct HostKey: Hashable {
    var address: String
    var port: Int?
  }

  static func hostsOfLine(_ words: [String], group: String?, source: SourceLine) throws(InventoryProblem.Kind) -> [InventoryHost] {
    let spec = try HostSpec.parse(words[0])
    var user = spec.user
    var port = spec.port
    var identityFile: String?
    var sudo: Bool?
    var groups = group.map { [$0] } ?? []
    let display = spec.host

    func set<T: Equatable & CustomStringConvertible>(_ slot: inout T?, _ value: T, key: String) throws(InventoryProblem.Kind) {
      if let old = slot, old != value {
        throw .conflictingValues(host: display, key: key, first: old.description, second: value.description, firstSource: nil)
      }
      slot = value
    }

    for word in words.dropFirst() {
      guard let equals = word.firstIndex(of: "="), equals != word.startIndex else { throw .notAnOption(word) }
      let key = word[..<equals].lowercased()
      let value = String(word[word.index(after: equals)...])
      guard knownKeys.contains(key) else { throw .unknownOption(word) }
      guard !value.isEmpty else { throw .emptyValue(key: key) }
      switch key {
      case "user":
        try set(&user, value, key: "user")
      case "port":
        guard let number = PortNumber.parse(value) else { throw .invalidPort(value) }
        try set(&port, number, key: "port")
      case "key":
        try set(&identityFile, value, key: "key")
      case "groups":
        let names = value.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw .emptyValue(key: key) }
        for name in names {
          guard InventoryParser.isValidGroupName(name) else { throw .invalidGroupName(String(name)) }
          groups.append(String(name))
        }
      default:
        guard let flag = BooleanWord.strict(value) else { throw .invalidBoolean(key: "sudo", value: value) }
        try set(&sudo, flag, key: "sudo")
      }
    }

    let names = spec.isIPv6 ? [spec.host] : try HostRange.expand(spec.host)
    return names.map { name in
      InventoryHost(name: name, port: port, user: user, identityFile: identityFile, groups: groups, sudo: sudo, source: source)
    }
  }

  /// `first` listed again as `second`: groups united, unset values filled, different values refused.
  static func merge(_ first: InventoryHost, _ second: InventoryHost) throws(InventoryProblem.Kind) -> InventoryHost {
    var merged = first
    func fill<T: Equatable & CustomStringConvertible>(_ slot: inout T?, _ value: T?, key: String) throws(InventoryProblem.Kind) {
      guard let value else { return }
      if let old = slot, old != value {
        throw .conflictingValues(host: first.name, key: key, first: old.description, second: value.description, firstSource: first.source)
      }
      slot = value
    }
    try fill(&merged.user, second.user, key: "user")
    try fill(&merged.identityFile, second.identityFile, key: "key")
    try fill(&merged.sudo, second.sudo, key: "sudo")
    merged.groups = Array(Set(first.groups + second.groups)).sorted()
    return merged
  }
}
