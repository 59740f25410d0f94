/// The `[group:children]` relation of an Ansible inventory: which groups hold which,
/// a group's ancestors, its depth below `all` (for variable precedence), and cycles.
struct AnsibleGroupGraph {
  private(set) var groups: [String] = []
  private var known: Set<String> = []
  /// Parent to children, in file order, with where each edge was written.
  private var children: [String: [(child: String, source: SourceLine)]] = [:]
  private var parents: [String: Set<String>] = [:]

  mutating func declare(_ group: String) {
    if known.insert(group).inserted { groups.append(group) }
  }

  mutating func add(child: String, to parent: String, at source: SourceLine) {
    declare(parent)
    declare(child)
    children[parent, default: []].append((child, source))
    parents[child, default: []].insert(parent)
  }

  /// The groups and every group that holds them, directly or through others.
  func ancestors(of groups: Set<String>) -> Set<String> {
    var result = groups
    var pending = Array(groups)
    while let group = pending.popLast() {
      for parent in parents[group] ?? [] where result.insert(parent).inserted {
        pending.append(parent)
      }
    }
    return result
  }

  /// 0 for `all`, 1 for a group nothing holds, else one more than its deepest parent.
  /// Call only on a graph without cycles.
  func depth(of group: String) -> Int {
    if group == "all" { return 0 }
    let above = (parents[group] ?? []).filter { $0 != "all" }
    return 1 + (above.map { depth(of: $0) }.max() ?? 0)
  }

  /// The first cycle found in file order: its groups, and the line of the edge closing it.
  func firstCycle() -> (groups: [String], source: SourceLine)? {
    var done: Set<String> = []
    var path: [String] = []
    var onPath: Set<String> = []

    func visit(_ group: String) -> (groups: [String], source: SourceLine)? {
      path.append(group)
      onPath.insert(group)
      for edge in children[group] ?? [] {
        if onPath.contains(edge.child) {
          let start = path.firstIndex(of: edge.child) ?? path.startIndex  // onPath mirrors path
          return (Array(path[start...]), edge.source)
        }
        if !done.contains(edge.child), let cycle = visit(edge.child) { return cycle }
      }
      path.removeLast()
      onPath.remove(group)
      done.insert(group)
      return nil
    }

    for group in groups where !done.contains(group) {
      if let cycle = visit(group) { return cycle }
    }
    return nil
  }
}
