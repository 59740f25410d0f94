/// `firewall-bypassed-by-nat`: a port the host's INPUT path denies but a destination NAT in
/// prerouting publishes anyway (Docker's `-p` past ufw's or the policy's deny: the DNAT runs
/// before INPUT, and FORWARD accepts).
enum FirewallBypassedByNATRule {
  static let info = RuleInfo(
    id: "firewall-bypassed-by-nat", severity: .high, title: "Port published past the firewall by NAT",
    triggers: "a TCP/UDP listener beyond loopback that the INPUT path alone would drop or reject, but that a prerouting DNAT "
      + "publishes (open or restricted through FORWARD): the Docker-past-ufw case")

  static func evaluate(_ host: HostContext) -> [Finding] {
    var seen: Set<String> = []
    // A container's published listener shares its host port's exposure: the host port is the finding.
    return host.portListeners.compactMap { listener in
      guard listener.netns == nil, let exposure = listener.exposure, exposure.bypassesInput, let port = listener.port else { return nil }
      guard seen.insert("\(listener.proto.rawValue)/\(port)").inserted else { return nil }
      let nat = exposure.dnat.map { "\($0.target) (\($0.rule.described))" }.joined(separator: ", ")
      let deny = exposure.inputDeniedBy?.described ?? "the INPUT path"
      return host.finding(
        info, socket: listener.findingSocket,
        evidence: "\(listener.described); INPUT denies it (\(deny)) but a DNAT publishes it to \(nat); effective exposure: \(exposure.summary)",
        fix: "Filter the published port where the DNAT leads (DOCKER-USER or the forward chain), or publish it on 127.0.0.1 only "
          + "(`-p 127.0.0.1:\(port):…`); the INPUT rule does not see DNATed traffic.")
    }
  }
}

/// `no-firewall`: a host whose packet filter was read and lets everything through, while it
/// has listeners with public reach.
enum NoFirewallRule {
  static let info = RuleInfo(
    id: "no-firewall", severity: .info, title: "Public listeners and no packet filter",
    triggers: "the firewall was read (as root) and the ruleset is empty (no rule, no dropping policy) while a TCP/UDP listener has public reach")

  static func evaluate(_ host: HostContext) -> [Finding] {
    guard let firewall = host.snapshot.firewall, firewall.status == .read, firewall.isEmpty == true else { return [] }
    let wide = host.portListeners.filter { $0.reach?.reach == .public }
    guard let first = wide.first else { return [] }
    let names = wide.prefix(5).map(\.text).joined(separator: ", ") + (wide.count > 5 ? ", …" : "")
    return [
      host.finding(
        info, socket: nil,
        evidence: "the ruleset (\(firewall.ruleCount) rules) accepts every connection; public listeners: \(names) (first: \(first.described))",
        fix: "Add a packet filter with a dropping input policy that accepts only the ports meant to be reachable (nftables, ufw or firewalld).")
    ]
  }
}

/// How far a set of accepted source prefixes reaches: the widest class of any of them.
enum SourceReach {
  static let privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"].compactMap {
    AddressRangeSet.parse($0)
  }
  static let linkLocalRanges = ["169.254.0.0/16", "fe80::/10"].compactMap { AddressRangeSet.parse($0) }
  static let loopbackRanges = ["127.0.0.0/8", "::1"].compactMap { AddressRangeSet.parse($0) }

  /// The widest reach of `prefixes` (entries that are not prefixes, such as `interface eth1`,
  /// count as private-network: an interface is a network the host sits on).
  static func reach(_ prefixes: [String]) -> ReachClass {
    var widest = ReachClass.loopback
    for prefix in prefixes {
      guard let set = AddressRangeSet.parse(prefix) else {
        widest = max(widest, .privateNetwork)
        continue
      }
      let reach: ReachClass
      if loopbackRanges.contains(where: set.isSubset(of:)) {
        reach = .loopback
      } else if linkLocalRanges.contains(where: set.isSubset(of:)) {
        reach = .linkLocal
      } else if privateRanges.contains(where: set.isSubset(of:)) {
        reach = .privateNetwork
      } else {
        reach = .public
      }
      widest = max(widest, reach)
    }
    return widest
  }
}
