/// `public-not-allowed`: a listener reachable from public addresses on a port the policy does
/// not list under `allow.public`. Runs only when a policy is given.
enum PublicNotAllowedRule {
  static let info = RuleInfo(
    id: "public-not-allowed", severity: .medium, title: "Public listener not allowed by policy",
    triggers: "with --policy: a TCP or UDP listener whose reach is public on a port not in the host's allow.public")

  static func evaluate(_ host: HostContext) -> [Finding] {
    guard host.hasPolicy else { return [] }
    return PortGroup.groups(host.portListeners).compactMap { group in
      guard group.reach.reach == .public, !host.policy.allows(group.proto, group.port, reach: .public) else { return nil }
      let allowed = host.policy.allowPublic.map(\.description)
      let service = group.widest.service.map { "\($0.summary) — " } ?? ""
      return host.finding(
        info, socket: group.widest.findingSocket,
        evidence: service + group.evidence + "; allow.public for this host: " + (allowed.isEmpty ? "(none)" : allowed.joined(separator: ", ")),
        fix: "Bind it to a private or loopback address or firewall it; if it is meant to be public, add \(group.port)/\(group.proto.rawValue) to allow.public in the policy.")
    }
  }
}
