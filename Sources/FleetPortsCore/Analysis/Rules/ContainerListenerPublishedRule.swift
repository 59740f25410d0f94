/// `container-listener-published`: a listener inside a container that a host port publishes
/// (docker-proxy, DNAT), named with its container, so the exposure reads as one path from
/// the host's address to the process behind it.
enum ContainerListenerPublishedRule {
  static let info = RuleInfo(
    id: "container-listener-published", severity: .low, title: "Container listener published on a host port",
    triggers: "a TCP/UDP listener in a container's network namespace that a published host port leads to (docker-proxy command "
      + "line or a prerouting DNAT); medium when the host side is public, low otherwise, info when the firewall blocks it")

  static func evaluate(_ host: HostContext) -> [Finding] {
    host.listeners.compactMap { listener in
      guard listener.netns != nil, !listener.publications.isEmpty, let reach = listener.reach else { return nil }
      var severity: Severity = reach.reach == .public ? .medium : .low
      if listener.exposure?.kind == .blocked { severity = .info }
      let name = listener.container?.label ?? "in network namespace \(listener.netns.map(String.init) ?? "?")"
      var finding = host.finding(
        info, severity: severity, socket: listener.findingSocket,
        evidence: listener.described + "; reach \(reach.reach.rawValue): \(reach.basis)"
          + (listener.exposure.map { "; effective exposure: " + $0.summary } ?? ""),
        fix: "Publish only what must be reached, on the address that needs it (`-p 127.0.0.1:\(listener.publications[0].hostPort):…`), "
          + "and filter it in DOCKER-USER: the INPUT chain does not see published traffic.")
      finding.title = "Container \(name) published on host \(listener.publications.map(\.hostText).joined(separator: ", "))"
      return finding
    }
  }
}
