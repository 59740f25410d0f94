/// A host's packet filter as the probe read it: the text each tool printed (kept as printed, so
/// the parsers are the one decoder and a stored scan can be judged again by a newer evaluator),
/// or why there is none. `HostSnapshot.firewall`; nil in a scan.json written before issue 19.
///
/// In scan.json (docs/scan-json.md):
///
///     {"status": "read", "sources": [{"tool": "nft", "backend": "nftables", …}], "frontEnds": ["docker"],
///      "ruleCount": 12, "problems": []}
public struct FirewallSnapshot: Hashable, Sendable, Codable {
  /// Whether the rules could be read.
  public enum Status: String, Hashable, Sendable, Codable {
    /// The rules were read and parsed: exposure is judged.
    case read
    /// The probe did not run as root: the tools refuse others, so the firewall is unknown.
    case notRoot = "not-root"
    /// Root, but neither nft nor any iptables-save is installed.
    case noTool = "no-tool"
    /// A tool failed, its output was cut at the cap, or the output could not be parsed.
    case unreadable
  }

  /// One tool's output.
  public struct Source: Hashable, Sendable, Codable {
    /// The probe section (`fw-nft`, `fw-iptables-legacy-save`, …).
    public var section: String
    public var backend: FirewallBackend
    /// For iptables-save text: the family (`ipv4` for iptables, `ipv6` for ip6tables).
    public var family: IPFamily?
    /// The output as printed (UTF-8; invalid bytes replaced).
    public var text: String
    /// Lines or objects read and how many were not understood, with the first of them.
    public var linesRead: Int
    public var linesNotUnderstood: Int
    public var firstProblems: [UnparsedLine]

    public init(
      section: String, backend: FirewallBackend, family: IPFamily?, text: String, linesRead: Int = 0, linesNotUnderstood: Int = 0,
      firstProblems: [UnparsedLine] = []
    ) {
      self.section = section
      self.backend = backend
      self.family = family
      self.text = text
      self.linesRead = linesRead
      self.linesNotUnderstood = linesNotUnderstood
      self.firstProblems = firstProblems
    }
  }

  public var status: Status
  /// Why the status is not `read`, in words for the host's line; nil when read.
  public var reason: String?
  /// The outputs the ruleset is made of, in merge order (nft first).
  public var sources: [Source]
  /// Who manages the rules where the chain and table names show it: `ufw`, `firewalld`,
  /// `docker`, `kube-proxy`; `nftables` or `iptables` when none of those.
  public var frontEnds: [String]
  /// Rules in the merged ruleset.
  public var ruleCount: Int
  /// True when the merged ruleset lets everything through (no rule, no dropping policy:
  /// `FirewallRuleset.isEmpty`); nil unless read.
  public var isEmpty: Bool?
  /// Problems reading it that did not make it unreadable (a line not understood, a tool's warning).
  public var problems: [String]

  public init(
    status: Status, reason: String? = nil, sources: [Source] = [], frontEnds: [String] = [], ruleCount: Int = 0, problems: [String] = []
  ) {
    self.status = status
    self.reason = reason
    self.sources = sources
    self.frontEnds = frontEnds
    self.ruleCount = ruleCount
    self.problems = problems
  }

  /// The merged ruleset of the sources, parsed again (the parsers are pure and fast); nil
  /// unless `status` is `read` and every source parses: judging from part of the rules could
  /// call a blocked port open.
  public func ruleset() -> FirewallRuleset? {
    guard status == .read else { return nil }
    let parsed = sources.compactMap(FirewallSnapshot.parse)
    guard parsed.count == sources.count else { return nil }
    return FirewallSnapshot.merge(parsed)
  }

  static func parse(_ source: Source) -> (Source, FirewallParse)? {
    let bytes = Array(source.text.utf8)
    switch source.backend {
    case .nftables:
      guard let parse = try? NftJSONParser.parse(bytes) else { return nil }
      return (source, parse)
    case .iptables:
      return (source, IptablesSaveParser.parse(bytes, family: source.family ?? .ipv4))
    }
  }

  /// The sources' tables as one ruleset. The tables iptables-nft writes are nftables tables
  /// too: `nft -j` shows them with bare `xt` matches, iptables-nft-save in full, so an nft table
  /// of the same family and name as one iptables-nft-save printed is left out.
  static func merge(_ parses: [(Source, FirewallParse)]) -> FirewallRuleset {
    var shadowed: Set<String> = []
    for (source, parse) in parses
    where source.section == ProbeSectionName.firewallIptablesNft.rawValue
      || source.section == ProbeSectionName.firewallIp6tablesNft.rawValue
    {
      for table in parse.ruleset.tables { shadowed.insert("\(table.family.rawValue) \(table.name)") }
    }
    var merged = FirewallRuleset()
    for (source, parse) in parses {
      var ruleset = parse.ruleset
      if source.backend == .nftables { ruleset.tables.removeAll { shadowed.contains("\($0.family.rawValue) \($0.name)") } }
      merged = merged.merging(ruleset)
    }
    return merged
  }

  /// The front ends whose chains or tables are in `ruleset`, from their names: ufw's `ufw-*`
  /// chains, firewalld's `firewalld` table (or its `filter_IN_*` chains), Docker's `DOCKER*`
  /// chains, kube-proxy's `KUBE-*` chains.
  public static func frontEnds(_ ruleset: FirewallRuleset) -> [String] {
    var found: Set<String> = []
    for table in ruleset.tables {
      if table.name == "firewalld" { found.insert("firewalld") }
      for chain in table.chains {
        let name = chain.name
        if name.hasPrefix("ufw-") || name.hasPrefix("ufw6-") { found.insert("ufw") }
        if name.hasPrefix("filter_IN_") || name.hasPrefix("filter_FWDI_") { found.insert("firewalld") }
        if name == "DOCKER" || name.hasPrefix("DOCKER-") { found.insert("docker") }
        if name.hasPrefix("KUBE-") { found.insert("kube-proxy") }
      }
    }
    return ["ufw", "firewalld", "docker", "kube-proxy"].filter(found.contains)
  }
}

extension FirewallSnapshot {
  /// Reads the firewall sections of a probe's output. `isRoot` is the probe's effective uid.
  public static func assemble(_ output: ProbeOutput, isRoot: Bool) -> FirewallSnapshot {
    guard isRoot else {
      return FirewallSnapshot(
        status: .notRoot, reason: "firewall unknown: the probe did not run as root, and the rules are readable by root only")
    }
    let wanted: [(ProbeSectionName, FirewallBackend, IPFamily?)] = [
      (.firewallNft, .nftables, nil), (.firewallIptablesNft, .iptables, .ipv4), (.firewallIp6tablesNft, .iptables, .ipv6),
      (.firewallIptablesLegacy, .iptables, .ipv4), (.firewallIp6tablesLegacy, .iptables, .ipv6), (.firewallIptables, .iptables, .ipv4),
      (.firewallIp6tables, .iptables, .ipv6),
    ]
    var sources: [Source] = []
    var parses: [(Source, FirewallParse)] = []
    var problems: [String] = []
    for (name, backend, family) in wanted {
      guard let section = output[name] else { continue }
      let firstLine = SnapshotAssembler.firstLine(section.body)
      if section.truncated {
        return FirewallSnapshot(
          status: .unreadable, reason: "firewall unknown: \(name) was cut at the section cap (\(section.body.count) bytes kept)")
      }
      guard section.exitCode == 0, section.complete else {
        return FirewallSnapshot(
          status: .unreadable,
          reason: "firewall unknown: \(name) failed (rc \(section.exitCode.map(String.init) ?? "?"))"
            + (firstLine.isEmpty ? "" : ": \(firstLine)"))
      }
      var source = Source(section: name.rawValue, backend: backend, family: family, text: String(decoding: section.body, as: UTF8.self))
      let parse: FirewallParse
      switch backend {
      case .nftables:
        do {
          parse = try NftJSONParser.parse(section.body)
        } catch {
          return FirewallSnapshot(status: .unreadable, reason: "firewall unknown: \(name): \(error.description)")
        }
      case .iptables:
        parse = IptablesSaveParser.parse(section.body, family: family ?? .ipv4)
      }
      source.linesRead = parse.report.linesRead
      source.linesNotUnderstood = parse.report.unparsedCount
      source.firstProblems = Array(parse.report.unparsed.prefix(3))
      if parse.report.unparsedCount > 0 {
        problems.append(
          "\(name): \(parse.report.unparsedCount) line(s) not understood (their rules make verdicts that meet them uncertain)")
      }
      sources.append(source)
      parses.append((source, parse))
    }
    guard !sources.isEmpty else {
      // The probe found nothing to read: no nf_tables in the kernel and no legacy tables.
      if let none = output[.firewallNone], none.exitCode == 0, none.body.starts(with: Array("nf_tables no".utf8)) {
        var snapshot = FirewallSnapshot(status: .read, sources: [], frontEnds: [], ruleCount: 0, problems: problems)
        snapshot.isEmpty = true
        return snapshot
      }
      return FirewallSnapshot(
        status: .noTool, reason: "firewall unknown: neither nft nor iptables-save was found (or the probe predates firewall collection)")
    }
    let ruleset = merge(parses)
    var fronts = frontEnds(ruleset)
    if fronts.isEmpty, ruleset.ruleCount > 0 {
      fronts = sources.contains { $0.backend == .iptables && $0.text.contains("-A ") } ? ["iptables"] : ["nftables"]
    }
    var snapshot = FirewallSnapshot(status: .read, sources: sources, frontEnds: fronts, ruleCount: ruleset.ruleCount, problems: problems)
    snapshot.isEmpty = ruleset.isEmpty
    return snapshot
  }
}
