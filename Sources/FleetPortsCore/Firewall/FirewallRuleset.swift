/// A host's packet filter as one value, whichever front end wrote it: the tables of
/// `nft -j list ruleset` (`NftJSONParser`) and of `iptables-save` / `ip6tables-save`
/// (`IptablesSaveParser`), merged with `merging(_:)` when a host has both (iptables-legacy
/// tables run beside nftables' own, at the same hooks).
public struct FirewallRuleset: Hashable, Sendable {
  /// Tables in the order the tool listed them.
  public var tables: [FirewallTable]

  public init(tables: [FirewallTable] = []) { self.tables = tables }

  /// True when no table holds a rule or a base chain with a non-accept policy: the filter lets
  /// everything through (Debian's default `/etc/nftables.conf` is such a ruleset).
  public var isEmpty: Bool {
    tables.allSatisfy { table in table.chains.allSatisfy { $0.rules.isEmpty && ($0.base?.policy ?? .accept) == .accept } }
  }

  /// Both rulesets' tables: this one's first.
  public func merging(_ other: FirewallRuleset) -> FirewallRuleset { FirewallRuleset(tables: tables + other.tables) }

  /// Every rule, for counting and quoting.
  public var ruleCount: Int { tables.reduce(0) { $0 + $1.chains.reduce(0) { $0 + $1.rules.count } } }
}

/// Where a table came from: the nftables JSON, or iptables-save text of either backend.
public enum FirewallBackend: String, Hashable, Sendable, Codable {
  /// `nft -j list ruleset` (tables made by iptables-nft included).
  case nftables
  /// `iptables-save` / `ip6tables-save` text (`iptables-legacy-save`, or `iptables-nft-save`).
  case iptables
}

/// An nftables address family (libnftables-json(5) "family"); iptables tables are `ip`
/// (iptables-save) or `ip6` (ip6tables-save).
public enum FirewallFamily: String, Hashable, Sendable, Codable, CaseIterable {
  case ip
  case ip6
  /// Both IPv4 and IPv6.
  case inet
  case arp
  case bridge
  case netdev

  /// True when the family's hooks see packets of `family` on their way to the host's sockets
  /// (`ip`: IPv4, `ip6`: IPv6, `inet`: both; arp, bridge, netdev: neither).
  public func applies(to family: IPFamily) -> Bool {
    switch self {
    case .ip: return family == .ipv4
    case .ip6: return family == .ipv6
    case .inet: return true
    case .arp, .bridge, .netdev: return false
    }
  }
}

/// One table: its family, name, chains and named sets.
public struct FirewallTable: Hashable, Sendable {
  public var family: FirewallFamily
  public var name: String
  public var backend: FirewallBackend
  public var chains: [FirewallChain]
  /// Named sets (nftables `set`; iptables has none it shows: `-m set` refers to ipset).
  public var sets: [FirewallSet]

  public init(family: FirewallFamily, name: String, backend: FirewallBackend, chains: [FirewallChain] = [], sets: [FirewallSet] = []) {
    self.family = family
    self.name = name
    self.backend = backend
    self.chains = chains
    self.sets = sets
  }
}

/// A netfilter hook (libnftables-json(5) "hook").
public enum ChainHook: String, Hashable, Sendable, Codable {
  case prerouting
  case input
  case forward
  case output
  case postrouting
  case ingress
  case egress
}

/// A base chain's type: `filter` (verdicts), `nat` (address rewriting), `route` (rerouting).
public enum ChainType: String, Hashable, Sendable, Codable {
  case filter
  case nat
  case route
}

/// What a base chain does with a packet no rule decided: its policy.
public enum ChainPolicy: String, Hashable, Sendable, Codable {
  case accept
  case drop
}

/// The part of a chain that attaches it to a hook: type, hook, priority and policy.
public struct BaseChain: Hashable, Sendable {
  public var type: ChainType
  public var hook: ChainHook
  /// Lower runs first; iptables' tables have their fixed priorities (raw -300, mangle -150,
  /// nat PREROUTING -100, filter 0, nat INPUT/POSTROUTING 100).
  public var priority: Int
  public var policy: ChainPolicy

  public init(type: ChainType, hook: ChainHook, priority: Int, policy: ChainPolicy) {
    self.type = type
    self.hook = hook
    self.priority = priority
    self.policy = policy
  }
}

/// A chain: a base chain (`base` set) or a regular chain reached by jump and goto.
public struct FirewallChain: Hashable, Sendable {
  public var name: String
  public var base: BaseChain?
  /// In order; a rule's `position` is its index here.
  public var rules: [FirewallRule]

  public init(name: String, base: BaseChain? = nil, rules: [FirewallRule] = []) {
    self.name = name
    self.base = base
    self.rules = rules
  }
}
