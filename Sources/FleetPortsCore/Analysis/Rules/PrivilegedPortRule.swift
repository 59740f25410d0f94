/// `privileged-port-non-root`: a port below 1024 held by a socket a non-root user created
/// (CAP_NET_BIND_SERVICE or a lowered ip_unprivileged_port_start): clients that trust low
/// ports as root-run services are mistaken here.
enum PrivilegedPortRule {
  static let info = RuleInfo(
    id: "privileged-port-non-root", severity: .low, title: "Privileged port owned by a non-root user",
    triggers: "a TCP or UDP listener on a port below 1024 whose socket uid (from /proc/net) is not 0")

  static func evaluate(_ host: HostContext) -> [Finding] {
    PortGroup.groups(host.portListeners.filter { listener in
      guard let port = listener.port, port > 0, port < 1024 else { return false }
      if let uid = listener.socket.uid { return uid != 0 }
      if let user = listener.socket.user { return user != "root" }
      return false
    }).map { group in
      host.finding(
        info, socket: group.widest.findingSocket,
        evidence: group.evidence + "; the socket was created by a non-root user",
        fix: "Confirm this user is meant to serve port \(group.port) (CAP_NET_BIND_SERVICE, net.ipv4.ip_unprivileged_port_start); otherwise stop it and find how it got the port.")
    }
  }
}
