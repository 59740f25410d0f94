/// Ansible's structured inventories, from their `InventoryNode` tree:
/// - the YAML inventory (ansible-core's `yaml` inventory plugin): group names mapping to
///   `hosts` (host name → variables), `children` (group name → the same shape) and `vars`;
///   host names may be ranges (`web[01:20]`) and carry `:port`;
/// - the JSON `ansible-inventory -i SRC --list` prints for any source, dynamic ones
///   included (ansible-core 2.21): `_meta.hostvars` (host → variables), and groups with
///   `hosts` and `children` lists and optional `vars`.
/// Variables follow the INI reader's precedence (all < parent groups < child groups < host)
/// and become the same `InventoryHost` fields. Errors name the file, the line, and the path
/// in the document (`all.children.web.hosts`).
public enum AnsibleTreeInventoryParser {
  typealias Value = AnsibleInventoryParser.Value

  /// Parses `root`, read from `file` (named in messages) in `format`
  /// (`.ansibleYAML` or `.ansibleJSON`).
  /// - Throws: `InventoryError` with every problem found.
  public static func parse(_ root: InventoryNode, file: String, format: InventoryFormat) throws(InventoryError) -> Inventory {
    var reader = Reader(file: file)
    switch root {
    case .null: break
    case .mapping(let entries, _):
      if format == .ansibleJSON || entries.contains(where: { $0.key == "_meta" }) {
        reader.readList(entries)
      } else {
        for entry in entries { reader.readGroup(entry.key, entry.value, path: entry.key, line: entry.line) }
      }
    default:
      reader.problem(.wrongShape(path: "the document", expected: "a mapping of group names"), line: root.line)
    }
    guard reader.problems.isEmpty else { throw InventoryError(problems: reader.problems) }
    if let cycle = reader.state.graph.firstCycle() {
      throw InventoryError(problems: [InventoryProblem(.groupCycle(cycle.groups), at: cycle.source)])
    }
    var hosts: [InventoryHost] = []
    var problems: [InventoryProblem] = []
    for alias in reader.state.order {
      do throws(InventoryProblem) {
        hosts.append(try AnsibleInventoryParser.resolve(alias, state: reader.state))
      } catch {
        problems.append(error)
      }
    }
    guard problems.isEmpty else { throw InventoryError(problems: problems) }
    return Inventory(hosts: hosts)
  }

  struct Reader {
    let file: String
    var state = AnsibleInventoryParser.State()
    var problems: [InventoryProblem] = []

    init(file: String) { self.file = file }

    func source(_ line: Int?) -> SourceLine { SourceLine(file: file, line: line ?? 1) }

    mutating func problem(_ kind: InventoryProblem.Kind, line: Int?) {
      problems.append(InventoryProblem(kind, at: source(line)))
    }

    /// The entries of a mapping (nil counts as empty); a problem otherwise.
    mutating func entries(_ node: InventoryNode, path: String) -> [InventoryNode.Entry] {
      switch node {
      case .null: return []
      case .mapping(let entries, _): return entries
      default:
        problem(.wrongShape(path: path, expected: "a mapping"), line: node.line)
        return []
      }
    }

    // MARK: the YAML inventory

    mutating func readGroup(_ name: String, _ node: InventoryNode, path: String, line: Int?) {
      guard InventoryParser.isValidGroupName(Substring(name)) else {
        problem(.invalidGroupName(name), line: line)
        return
      }
      state.graph.declare(name)
      for entry in entries(node, path: path) {
        let here = path + "." + entry.key
        switch entry.key {
        case "hosts":
          for host in entries(entry.value, path: here) { readHost(host, group: name, path: here + "." + host.key) }
        case "children":
          for child in entries(entry.value, path: here) {
            state.graph.add(child: child.key, to: name, at: source(child.line))
            readGroup(child.key, child.value, path: here + "." + child.key, line: child.line)
          }
        case "vars":
          let vars = variables(entry.value, path: here)
          state.groupVars[name, default: [:]].merge(vars) { _, later in later }
        default:
          problem(.unexpectedKey(path: path, key: entry.key, expected: ["hosts", "children", "vars"]), line: entry.line)
        }
      }
    }

    mutating func readHost(_ entry: InventoryNode.Entry, group: String, path: String) {
      do throws(InventoryProblem.Kind) {
        let spec = try HostSpec.parse(entry.key)
        var vars = variables(entry.value, path: path)
        if let port = spec.port { vars["ansible_port"] = vars["ansible_port"] ?? Value(text: String(port), source: source(entry.line)) }
        let names = spec.isIPv6 ? [spec.host] : try HostRange.expand(spec.host)
        for alias in names { add(alias, group: group, vars: vars, line: entry.line) }
      } catch {
        problem(error, line: entry.line)
      }
    }

    mutating func add(_ alias: String, group: String?, vars: [String: Value], line: Int?) {
      if state.firstSource[alias] == nil {
        state.order.append(alias)
        state.firstSource[alias] = source(line)
      }
      state.hostVars[alias, default: [:]].merge(vars) { _, later in later }
      if let group { state.directGroups[alias, default: []].insert(group) }
    }

    /// A variables mapping: scalars kept as text; lists and mappings (never connection
    /// settings) kept as an empty marker so a connection variable holding one is refused.
    mutating func variables(_ node: InventoryNode, path: String) -> [String: Value] {
      var vars: [String: Value] = [:]
      for entry in entries(node, path: path) {
        switch entry.value {
        case .scalar(let text, let line): vars[entry.key] = Value(text: text, source: source(line ?? entry.line))
        case .null: vars[entry.key] = Value(text: "", source: source(entry.line))
        default:
          if entry.key.hasPrefix("ansible_") {
            problem(.wrongShape(path: path + "." + entry.key, expected: "text, a number or a boolean"), line: entry.line)
          }
        }
      }
      return vars
    }

    // MARK: ansible-inventory --list

    mutating func readList(_ top: [InventoryNode.Entry]) {
      for entry in top where entry.key == "_meta" {
        for meta in entries(entry.value, path: "_meta") where meta.key == "hostvars" {
          for host in entries(meta.value, path: "_meta.hostvars") {
            add(host.key, group: nil, vars: variables(host.value, path: "_meta.hostvars." + host.key), line: host.line)
          }
        }
      }
      // Hosts keep the order of the group lists; hostvars-only hosts (ungrouped) stay where they were.
      var listed: [String] = []
      for entry in top where entry.key != "_meta" {
        guard InventoryParser.isValidGroupName(Substring(entry.key)) else {
          problem(.invalidGroupName(entry.key), line: entry.line)
          continue
        }
        state.graph.declare(entry.key)
        for field in entries(entry.value, path: entry.key) {
          let here = entry.key + "." + field.key
          switch field.key {
          case "hosts":
            for (name, line) in names(field.value, path: here) {
              add(name, group: entry.key, vars: [:], line: line)
              listed.append(name)
            }
          case "children":
            for (child, line) in names(field.value, path: here) { state.graph.add(child: child, to: entry.key, at: source(line)) }
          case "vars":
            state.groupVars[entry.key, default: [:]].merge(variables(field.value, path: here)) { _, later in later }
          default:
            problem(.unexpectedKey(path: entry.key, key: field.key, expected: ["hosts", "children", "vars"]), line: field.line)
          }
        }
      }
      let inGroups = Set(listed)
      state.order = uniqued(listed) + state.order.filter { !inGroups.contains($0) }
    }

    /// A list of names (`hosts`, `children`).
    mutating func names(_ node: InventoryNode, path: String) -> [(String, Int?)] {
      guard case .sequence(let items, _) = node else {
        if case .null = node { return [] }
        problem(.wrongShape(path: path, expected: "a list of names"), line: node.line)
        return []
      }
      return items.enumerated().compactMap { index, item in
        guard case .scalar(let name, let line) = item, !name.isEmpty else {
          problem(.wrongShape(path: "\(path)[\(index)]", expected: "a name"), line: item.line)
          return nil
        }
        return (name, line)
      }
    }

    func uniqued(_ names: [String]) -> [String] {
      var seen: Set<String> = []
      return names.filter { seen.insert($0).inserted }
    }
  }
}
