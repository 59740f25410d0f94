/// Builds a `FirewallRuleset` from the objects of `nft -j list ruleset`'s `nftables` array:
/// tables, chains, sets and maps first, rules last (so a rule's `@set` is known wherever the
/// tool listed the set). Objects not understood go to the report with their index.
enum NftRulesetReader {
  static func read(_ objects: [NftJSON]) -> FirewallParse {
    var report = ParseReport()
    report.linesRead = objects.count
    var tables: [FirewallTable] = []
    var tableIndex: [String: Int] = [:]
    var chainIndex: [String: (table: Int, chain: Int)] = [:]
    var pendingRules: [(index: Int, rule: NftJSON)] = []
    func tableKey(_ object: NftJSON, nameKey: String) -> String? {
      guard let family = object["family"]?.string, let name = object[nameKey]?.string else { return nil }
      return family + " " + name
    }
    for (index, element) in objects.enumerated() {
      guard let (kind, object) = element.tagged, object.object != nil else {
        report.reject(line: index, reason: "not an object with one key", text: element.text)
        continue
      }
      switch kind {
      case "metainfo":
        report.linesIgnored += 1
        if let version = object["version"]?.string { report.note("nftables \(version)") }
      case "table":
        guard let key = tableKey(object, nameKey: "name"), let family = object["family"]?.string.flatMap(FirewallFamily.init(rawValue:)),
          let name = object["name"]?.string
        else {
          report.reject(line: index, reason: "table without a known family and a name", text: element.text)
          continue
        }
        tableIndex[key] = tables.count
        tables.append(FirewallTable(family: family, name: name, backend: .nftables))
        report.linesUnderstood += 1
      case "chain":
        guard let key = tableKey(object, nameKey: "table"), let table = tableIndex[key], let name = object["name"]?.string else {
          report.reject(line: index, reason: "chain of no listed table", text: element.text)
          continue
        }
        var base: BaseChain?
        if let hookText = object["hook"]?.string {
          guard let hook = ChainHook(rawValue: hookText) else {
            report.reject(line: index, reason: "chain with unknown hook \(hookText)", text: element.text)
            continue
          }
          let type = object["type"]?.string.flatMap(ChainType.init(rawValue:)) ?? .filter
          let policy = object["policy"]?.string.flatMap(ChainPolicy.init(rawValue:)) ?? .accept
          base = BaseChain(type: type, hook: hook, priority: object["prio"]?.int ?? 0, policy: policy)
        }
        chainIndex[key + " " + name] = (table, tables[table].chains.count)
        tables[table].chains.append(FirewallChain(name: name, base: base))
        report.linesUnderstood += 1
      case "set", "map":
        guard let key = tableKey(object, nameKey: "table"), let table = tableIndex[key], let name = object["name"]?.string else {
          report.reject(line: index, reason: "\(kind) of no listed table", text: element.text)
          continue
        }
        tables[table].sets.append(NftExpressionReader.set(object, name: name))
        report.linesUnderstood += 1
      case "rule":
        pendingRules.append((index, object))
      default:
        report.linesIgnored += 1
        report.note("ignored nftables object kind: \(kind)")
      }
    }
    for (index, object) in pendingRules {
      guard let key = tableKey(object, nameKey: "table"), let chainName = object["chain"]?.string,
        let (table, chain) = chainIndex[key + " " + chainName]
      else {
        report.reject(line: index, reason: "rule of no listed chain", text: object.text)
        continue
      }
      guard let expressions = object["expr"]?.array else {
        report.reject(line: index, reason: "rule without an expr array", text: object.text)
        continue
      }
      let reader = NftExpressionReader(sets: tables[table].sets)
      let position = tables[table].chains[chain].rules.count
      var rule = reader.rule(expressions, position: position, comment: object["comment"]?.string)
      rule.handle = object["handle"]?.int
      tables[table].chains[chain].rules.append(rule)
      report.linesUnderstood += 1
    }
    return FirewallParse(ruleset: FirewallRuleset(tables: tables), report: report)
  }
}
