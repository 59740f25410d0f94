/// What a NEW connection from outside the host meets on its way to a listener: the reach of
/// the bind address judged through the host's packet filter and NAT (docs/firewall.md).
/// `Listener.exposure`; nil for loopback and Unix listeners (nothing from outside reaches them)
/// and in scan.json written before issue 19.
///
/// In scan.json (docs/scan-json.md):
///
///     {"kind": "blocked", "rule": {"family": "inet", "table": "filter", "chain": "input", "position": null,
///      "text": "policy drop"}, "reason": "dropped by inet filter input policy: policy drop"}
public struct ListenerExposure: Hashable, Sendable, Codable {
  /// The effective exposure.
  public enum Kind: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// No firewall data: not root, no tool, or the rules could not be read.
    case unknown
    /// Every connection from outside is dropped or rejected, by `rule`.
    case blocked
    /// A match or statement the evaluator does not understand decides (`rule` quotes it).
    case uncertain
    /// Accepted from `sources` only.
    case restricted
    /// Reachable from anywhere the host's addresses are reachable.
    case open

    /// `unknown` < `blocked` < `uncertain` < `restricted` < `open`: the order reports sort by.
    public static func < (a: Kind, b: Kind) -> Bool { a.rank < b.rank }

    var rank: Int {
      switch self {
      case .unknown: return 0
      case .blocked: return 1
      case .uncertain: return 2
      case .restricted: return 3
      case .open: return 4
      }
    }
  }

  public var kind: Kind
  /// For `restricted`: the accepted source prefixes (of every source class, IPv4 and IPv6).
  public var sources: [String]
  /// The deciding rule (or chain policy); nil for `unknown` and for an empty ruleset.
  public var rule: FirewallRuleReference?
  /// For `restricted`: the rule or policy that stops the other sources.
  public var deniedBy: FirewallRuleReference?
  /// Destination NAT on the way (a published container port).
  public var dnat: [DNATRewrite]
  /// True when the INPUT path alone would deny it but a DNAT publishes it past that
  /// (`firewall-bypassed-by-nat`); the deny is `inputDeniedBy`.
  public var bypassesInput: Bool
  public var inputDeniedBy: FirewallRuleReference?
  /// Why, in words (the evaluator's reason, or why the firewall is unknown).
  public var reason: String

  public init(
    kind: Kind, sources: [String] = [], rule: FirewallRuleReference? = nil, deniedBy: FirewallRuleReference? = nil, dnat: [DNATRewrite] = [],
    bypassesInput: Bool = false, inputDeniedBy: FirewallRuleReference? = nil, reason: String
  ) {
    self.kind = kind
    self.sources = sources
    self.rule = rule
    self.deniedBy = deniedBy
    self.dnat = dnat
    self.bypassesInput = bypassesInput
    self.inputDeniedBy = inputDeniedBy
    self.reason = reason
  }

  /// `blocked by inet filter input policy: policy drop`: one line for a table cell or a finding.
  public var summary: String {
    switch kind {
    case .unknown: return "unknown"
    case .open: return "open" + (dnat.isEmpty ? "" : " via DNAT to " + dnat.map(\.target).joined(separator: ", "))
    case .blocked: return "blocked" + (rule.map { " by " + $0.described } ?? "")
    case .uncertain: return "uncertain" + (rule.map { " at " + $0.described } ?? "")
    case .restricted: return "restricted to " + sources.joined(separator: ", ")
    }
  }
}

/// Judges every listener of a host through its firewall: the ruleset is compiled once per host.
public struct ExposureJudge: Sendable {
  let evaluator: FirewallEvaluator?
  /// The same ruleset without prerouting NAT: what the INPUT path alone does, asked only for
  /// listeners a DNAT publishes.
  let withoutNAT: FirewallEvaluator?
  let unknownReason: String

  /// A judge for `snapshot`'s firewall; every answer is `unknown` when the rules were not read.
  public init(_ snapshot: HostSnapshot) {
    guard let firewall = snapshot.firewall else {
      evaluator = nil
      withoutNAT = nil
      unknownReason = "firewall unknown: this scan did not collect the firewall"
      return
    }
    guard let ruleset = firewall.ruleset() else {
      evaluator = nil
      withoutNAT = nil
      unknownReason = firewall.reason ?? "firewall unknown"
      return
    }
    evaluator = FirewallEvaluator(ruleset: ruleset, hostAddresses: snapshot.addresses)
    var plain = ruleset
    for index in plain.tables.indices {
      plain.tables[index].chains.removeAll { $0.base?.type == .nat && $0.base?.hook == .prerouting }
    }
    withoutNAT = plain == ruleset ? nil : FirewallEvaluator(ruleset: plain, hostAddresses: snapshot.addresses)
    unknownReason = ""
  }

  /// The exposure of `listener`; nil when nothing from outside reaches it (loopback, Unix, no port).
  public func exposure(of listener: Listener) -> ListenerExposure? {
    guard let reach = listener.reach, reach.reach > .loopback, listener.proto.hasPorts, listener.port != nil else { return nil }
    guard let evaluator else { return ListenerExposure(kind: .unknown, reason: unknownReason) }
    let verdicts = evaluator.verdicts(for: listener)
    guard let anywhere = verdicts.first(where: { $0.source == .anywhere })?.verdict else {
      return ListenerExposure(kind: .unknown, reason: "the evaluator judged no path for this socket")
    }
    var exposure = ExposureJudge.exposure(anywhere)
    if !anywhere.dnat.isEmpty, exposure.kind == .open || exposure.kind == .restricted, let withoutNAT,
      let plain = withoutNAT.verdicts(for: listener).first(where: { $0.source == .anywhere })?.verdict,
      plain.kind == .drop || plain.kind == .reject
    {
      exposure.bypassesInput = true
      exposure.inputDeniedBy = plain.rule
    }
    return exposure
  }

  static func exposure(_ verdict: FirewallVerdict) -> ListenerExposure {
    switch verdict.kind {
    case .accept, .noRules: return ListenerExposure(kind: .open, rule: verdict.rule, dnat: verdict.dnat, reason: verdict.reason)
    case .drop, .reject: return ListenerExposure(kind: .blocked, rule: verdict.rule, dnat: verdict.dnat, reason: verdict.reason)
    case .uncertain: return ListenerExposure(kind: .uncertain, rule: verdict.rule, dnat: verdict.dnat, reason: verdict.reason)
    case .restricted:
      return ListenerExposure(
        kind: .restricted, sources: verdict.acceptedSources + verdict.acceptedInterfaces.map { "interface " + $0 }, rule: verdict.rule,
        deniedBy: verdict.deniedBy, dnat: verdict.dnat, reason: verdict.reason)
    }
  }
}
