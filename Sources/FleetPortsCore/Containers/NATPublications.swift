/// Port publications read from a host's NAT rules alone: every DNAT to an address in a NAT
/// table (Docker's `DOCKER` chain, `-p tcp -m tcp --dport 8080 -j DNAT --to-destination
/// 172.17.0.2:80`; an nft `dnat to`), so a port published with Docker's userland proxy off
/// (no docker-proxy, no host listener) still leads to its container.
public enum NATPublications {
  /// One publication per DNAT rule that matches one TCP or UDP destination port (a range or
  /// a rule without a port is no single publication) and rewrites to an address. The host
  /// side is every address (`0.0.0.0`, or `::` in an IPv6 table) unless the rule matches one
  /// destination address.
  public static func publications(_ ruleset: FirewallRuleset) -> [PortPublication] {
    var found: [PortPublication] = []
    for table in ruleset.tables where table.name == "nat" || table.chains.contains(where: { $0.base?.type == .nat }) {
      for chain in table.chains {
        for rule in chain.rules {
          guard case .dnat(let address?, let newPort) = rule.action, let (proto, port) = destination(rule.matches) else { continue }
          let container = address.mappedIPv4?.description ?? address.description
          let wildcard = address.mappedIPv4 == nil ? "::" : "0.0.0.0"
          found.append(
            PortPublication(
              proto: proto, hostAddress: wildcard, hostPort: port, containerAddress: container, containerPort: newPort ?? port,
              sources: [.dnat]))
        }
      }
    }
    return found
  }

  /// The protocol and the single destination port a rule matches, or nil.
  static func destination(_ matches: [RuleMatch]) -> (SocketProtocol, UInt16)? {
    var proto: SocketProtocol?
    var port: UInt16?
    for match in matches {
      switch match {
      case .l4proto(let numbers, negated: false) where numbers.count == 1:
        if numbers.contains(6) { proto = .tcp } else if numbers.contains(17) { proto = .udp }
      case .destinationPort(let ports, negated: false):
        guard ports.ranges.count == 1, let range = ports.ranges.first, range.lowerBound == range.upperBound else { return nil }
        port = range.lowerBound
      default: continue
      }
    }
    guard let proto, let port else { return nil }
    return (proto, port)
  }
}
