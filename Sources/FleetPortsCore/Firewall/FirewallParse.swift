/// What a firewall parser read: the ruleset and a report of everything it could not place
/// (with line numbers for iptables-save text, object indexes for nftables JSON).
public struct FirewallParse: Hashable, Sendable {
  public var ruleset: FirewallRuleset
  /// `linesRead` counts the input's lines (iptables-save) or objects (nft JSON); every line or
  /// object not understood is in `unparsed` with its reason.
  public var report: ParseReport

  public init(ruleset: FirewallRuleset, report: ParseReport) {
    self.ruleset = ruleset
    self.report = report
  }
}

/// Why a whole firewall input could not be read (a single bad line or object is not an error:
/// it goes to the `ParseReport`).
public enum FirewallParseError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Not JSON, or JSON without the top-level `{"nftables": [...]}` array.
  case notNftablesJSON(String)

  public var description: String {
    switch self {
    case .notNftablesJSON(let reason): return "not nftables JSON (`nft -j list ruleset`): \(reason)"
    }
  }
}

extension ParseReport {
  /// Records a line or object not understood, its text capped like every other excerpt.
  mutating func reject(line: Int, reason: String, text: String) {
    let bytes = Array(text.utf8.prefix(Excerpt.maxBytes + 1))
    bytes.withUnsafeBufferPointer { reject(line: line, reason: reason, bytes: $0) }
  }
}
