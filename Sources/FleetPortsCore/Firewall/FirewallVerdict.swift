/// Where a NEW connection comes from, as the evaluator asks: anywhere, or one of the private ranges.
public enum SourceClass: String, Hashable, Sendable, Codable, CaseIterable {
  /// `0.0.0.0/0` and `::/0`.
  case anywhere
  case private10 = "10.0.0.0/8"
  case private172 = "172.16.0.0/12"
  case private192 = "192.168.0.0/16"
  /// IPv6 unique local addresses.
  case uniqueLocal = "fc00::/7"

  /// The class's addresses in `family`; nil when it has none there (`10.0.0.0/8` for IPv6).
  public func addresses(_ family: IPFamily) -> AddressRangeSet? {
    switch (self, family) {
    case (.anywhere, _): return .all(family)
    case (.uniqueLocal, .ipv6): return AddressRangeSet.parse(rawValue)
    case (.uniqueLocal, .ipv4), (_, .ipv6): return nil
    default: return AddressRangeSet.parse(rawValue)
    }
  }
}

/// What the packet filter does to a NEW connection from a source class.
public enum FirewallVerdictKind: String, Hashable, Sendable, Codable {
  case accept
  case drop
  case reject
  /// Accepted from some sources (or on some interfaces) of the class only: `acceptedSources`.
  case restricted
  /// An unknown match, set or statement decides it: `reason` and `rule` say which.
  case uncertain
  /// The ruleset has no rule and no dropping policy on the path: everything is accepted.
  case noRules = "no-rules"
}

/// A rule (or a chain's policy) as a verdict quotes it.
public struct FirewallRuleReference: Hashable, Sendable, Codable {
  /// `ip`, `ip6`, `inet`, …
  public var family: FirewallFamily
  public var table: String
  public var chain: String
  /// The rule's index in its chain, from 0; nil when the chain's policy decided.
  public var position: Int?
  /// The rule's text (`-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT`, `tcp dport 22 accept`),
  /// or `policy drop`.
  public var text: String

  public init(family: FirewallFamily, table: String, chain: String, position: Int?, text: String) {
    self.family = family
    self.table = table
    self.chain = chain
    self.position = position
    self.text = text
  }

  /// `ip filter INPUT #2: -A INPUT …`, or `inet filter input policy: policy drop`.
  public var described: String {
    "\(family.rawValue) \(table) \(chain) " + (position.map { "#\($0): " } ?? "policy: ") + text
  }
}

/// A destination NAT that a NEW connection to the host port meets in prerouting.
public struct DNATRewrite: Hashable, Sendable, Codable {
  /// The new destination address; nil when only the port changes or for a redirect to the host.
  public var address: String?
  /// The new destination port; nil when unchanged.
  public var port: UInt16?
  /// The rule that rewrites.
  public var rule: FirewallRuleReference

  public init(address: String?, port: UInt16?, rule: FirewallRuleReference) {
    self.address = address
    self.port = port
    self.rule = rule
  }

  /// `172.17.0.2:80`, `[fd00::2]:80`, `:8080` (redirect).
  public var target: String {
    guard let address else { return port.map { ":\($0)" } ?? "" }
    guard let port else { return address }
    return SocketText.endpoint(bind: address, port: port)
  }
}

/// The verdict of a NEW connection from one source class to one host port.
public struct FirewallVerdict: Hashable, Sendable, Codable {
  public var kind: FirewallVerdictKind
  /// The deciding rule: the accepting rule (accept, restricted), the dropping or rejecting rule
  /// or policy (drop, reject), the rule whose unknown part decides (uncertain); nil for no-rules.
  public var rule: FirewallRuleReference?
  /// For `restricted`: the sources of the class that are accepted, as prefixes.
  public var acceptedSources: [String]
  /// For `restricted`: the interfaces the connection is accepted on, when not all of them.
  public var acceptedInterfaces: [String]
  /// For `restricted`: the rule or policy that stops the rest.
  public var deniedBy: FirewallRuleReference?
  /// The destination NAT on the way (a published container port), if any.
  public var dnat: [DNATRewrite]
  /// In words: why, and for `uncertain` what could not be evaluated.
  public var reason: String

  public init(
    kind: FirewallVerdictKind, rule: FirewallRuleReference?, acceptedSources: [String] = [], acceptedInterfaces: [String] = [],
    deniedBy: FirewallRuleReference? = nil, dnat: [DNATRewrite] = [], reason: String
  ) {
    self.kind = kind
    self.rule = rule
    self.acceptedSources = acceptedSources
    self.acceptedInterfaces = acceptedInterfaces
    self.deniedBy = deniedBy
    self.dnat = dnat
    self.reason = reason
  }
}

/// One source class's verdict.
public struct SourceVerdict: Hashable, Sendable, Codable {
  public var source: SourceClass
  public var verdict: FirewallVerdict

  public init(source: SourceClass, verdict: FirewallVerdict) {
    self.source = source
    self.verdict = verdict
  }
}
