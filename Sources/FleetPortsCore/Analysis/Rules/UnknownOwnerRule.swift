/// `unknown-owner`: an IP listener no process holds although attribution was complete (root,
/// tool ran): a kernel service (nfsd, WireGuard, ksmbd), a process in another PID namespace,
/// or something hiding.
enum UnknownOwnerRule {
  static let info = RuleInfo(
    id: "unknown-owner", severity: .low, title: "Listener without a known owner",
    triggers: "a TCP or UDP listener with no owning process on a host whose attribution is complete")

  static func evaluate(_ host: HostContext) -> [Finding] {
    guard host.snapshot.provenance.attribution == .complete else { return [] }
    return PortGroup.groups(host.portListeners.filter { $0.socket.processes.isEmpty }).map { group in
      host.finding(
        info, socket: group.widest.findingSocket,
        evidence: group.evidence + "; attribution was complete (root, \(host.snapshot.provenance.method?.rawValue ?? "tool") ran) yet no process holds it",
        fix: "Identify it (kernel service such as nfsd or WireGuard, a container's PID namespace: `ss -tulnpe`, `lsof -i :\(group.port)`); stop it if nobody owns it.")
    }
  }
}
