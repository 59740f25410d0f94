/// One rule: every match must hold for its statements to run. The original text is kept for
/// quoting in a verdict.
public struct FirewallRule: Hashable, Sendable {
  /// The rule's index in its chain, from 0.
  public var position: Int
  /// All must hold (an empty list matches every packet).
  public var matches: [RuleMatch]
  /// What a matching packet meets; `.continue` for a rule that only counts or logs.
  public var action: RuleAction
  /// The rule as its tool printed it: the `-A …` line of iptables-save, or for nftables the
  /// rule's expressions in nft's own syntax where this parser can spell them (otherwise the JSON).
  public var text: String
  /// nftables' rule handle, where given.
  public var handle: Int?

  public init(position: Int, matches: [RuleMatch], action: RuleAction, text: String, handle: Int? = nil) {
    self.position = position
    self.matches = matches
    self.action = action
    self.text = text
    self.handle = handle
  }
}

/// A condition of a rule. The address and port matches carry no family or protocol of their
/// own: the parsers add `.family` and `.l4proto` beside them the way nftables' implicit
/// dependencies do (`ip saddr` only matches IPv4, `tcp dport` only TCP).
public enum RuleMatch: Hashable, Sendable {
  /// `ip saddr`, `ip6 saddr`, `-s`.
  case sourceAddress(AddressRangeSet, negated: Bool)
  /// `ip daddr`, `ip6 daddr`, `-d`.
  case destinationAddress(AddressRangeSet, negated: Bool)
  /// `meta l4proto`, `ip protocol`, `ip6 nexthdr`, `-p`: IP protocol numbers.
  case l4proto(Set<UInt8>, negated: Bool)
  /// `tcp sport`, `udp sport`, `th sport`, `--sport`, `--sports`.
  case sourcePort(PortRangeSet, negated: Bool)
  /// `tcp dport`, `udp dport`, `th dport`, `--dport`, `--dports`.
  case destinationPort(PortRangeSet, negated: Bool)
  /// `iifname`, `iif`, `-i`.
  case inputInterface([InterfacePattern], negated: Bool)
  /// `oifname`, `oif`, `-o`.
  case outputInterface([InterfacePattern], negated: Bool)
  /// `ct state`, `-m conntrack --ctstate`, `-m state --state`: lower-case state names
  /// (`new`, `established`, `related`, `invalid`, `untracked`, and iptables' `snat`, `dnat`).
  case conntrackState(Set<String>, negated: Bool)
  /// `ct status` (`dnat`, `snat`, …), `-m conntrack --ctstatus`: lower-case names.
  case conntrackStatus(Set<String>, negated: Bool)
  /// `meta nfproto`, and the family an `ip`/`ip6` payload match implies.
  case family(IPFamily)
  /// `fib daddr type`, `-m addrtype --dst-type`: lower-case address types (`local`, `unicast`, …).
  case destinationType(Set<String>, negated: Bool)
  /// A match this model does not understand (an `xt` compat match, `-m recent`, a set whose
  /// contents are not in the ruleset, …), with its text: it makes a verdict that depends on it uncertain.
  case unknown(String)
}

/// What a rule does to a matching packet.
public enum RuleAction: Hashable, Sendable {
  /// Nothing that ends the chain: counter, log, mark, a NAT statement outside prerouting's DNAT.
  case `continue`
  case accept
  case drop
  case reject
  /// Evaluate the chain, then come back.
  case jump(String)
  /// Evaluate the chain and do not come back.
  case goto(String)
  /// Back to the calling chain (the policy in a base chain).
  case `return`
  /// Destination NAT: the new address (nil: unchanged) and port (nil: unchanged). nftables'
  /// `dnat to`, iptables' `-j DNAT --to-destination`.
  case dnat(address: IPv6Address?, port: UInt16?)
  /// `redirect to :port`, `-j REDIRECT --to-ports`: to the host itself, port nil when unchanged.
  case redirect(port: UInt16?)
  /// A verdict map (`ct state vmap { established : accept, … }`, `tcp dport vmap { 22 : accept }`):
  /// the first entry whose match holds decides; none: the rule continues.
  case verdictMap([VerdictMapEntry])
  /// A statement that may end the chain but is not understood (`queue`, an `xt` target, a DNAT
  /// without readable target): a verdict that reaches it is uncertain.
  case unknown(String)
}

/// One entry of a verdict map: when all `matches` hold (the key's value and the dependencies
/// its field implies), `action`.
public struct VerdictMapEntry: Hashable, Sendable {
  public var matches: [RuleMatch]
  public var action: RuleAction

  public init(matches: [RuleMatch], action: RuleAction) {
    self.matches = matches
    self.action = action
  }
}

/// A named set of a table (nftables `set`/`map`): its key type and elements.
public struct FirewallSet: Hashable, Sendable {
  public var name: String
  /// nft's key type, e.g. `["ipv4_addr"]`, `["inet_service"]`, `["ipv4_addr", "inet_service"]`
  /// for a concatenation.
  public var keyType: [String]
  public var flags: [String]
  public var elements: [FirewallSetElement]

  public init(name: String, keyType: [String], flags: [String], elements: [FirewallSetElement]) {
    self.name = name
    self.keyType = keyType
    self.flags = flags
    self.elements = elements
  }
}

/// One element of a set (or of an anonymous set `{ … }` in a rule).
public enum FirewallSetElement: Hashable, Sendable {
  /// An address, prefix or address range.
  case addresses(AddressRangeSet)
  /// A port or port range.
  case ports(PortRangeSet)
  /// A symbolic value: a protocol name, a ct state, an interface name.
  case word(String)
  /// A number (a protocol number, a mark).
  case number(Int)
  /// `a . b`: one element of a concatenated set.
  case concatenation([FirewallSetElement])
  /// An element the parser could not read, with its JSON text.
  case unknown(String)
}
