/// `datastore-exposed`: a database, cache or admin API (docker, kubelet) reachable beyond loopback.
enum DatastoreExposedRule {
  static let info = RuleInfo(
    id: "datastore-exposed", severity: .high, title: "Datastore or admin API reachable beyond loopback",
    triggers: "a TCP listener identified as a datastore (postgres, mysql, redis, mongodb, memcached, elasticsearch, etcd, …) "
      + "or admin API (docker 2375/2376, kubelet 10250) whose reach is wider than loopback and not allowed by policy; "
      + "critical when public or the plain-text Docker API, high on private networks, medium link-local; through the firewall: "
      + "low \"bound wide, firewalled\" when it blocks the port (naming the rule), by the accepted sources' reach when it restricts it")

  static func evaluate(_ host: HostContext) -> [Finding] {
    let candidates = host.portListeners.filter { listener in
      guard listener.proto == .tcp, let service = listener.service else { return false }
      return service.service.category == .datastore || service.service.category == .adminAPI
    }
    return PortGroup.groups(candidates).compactMap { group in
      let bindReach = group.reach.reach
      guard bindReach > .loopback else { return nil }
      guard let service = group.widest.service else { return nil }
      // The firewall decides what reaches it: the most open exposure of the group's listeners.
      let exposure = group.listeners.compactMap(\.exposure).max { $0.kind < $1.kind }
      if let exposure, exposure.kind == .blocked {
        guard !host.policy.allows(group.proto, group.port, reach: bindReach) else { return nil }
        var finding = host.finding(
          info, severity: .low, socket: group.widest.findingSocket,
          evidence: "bound wide, firewalled: \(service.summary) — \(group.evidence); \(exposure.summary)",
          fix: "The firewall blocks it today; bind it to 127.0.0.1 (or the address that needs it) so a firewall change does not expose it.")
        finding.title = "Datastore bound wide, firewalled"
        return finding
      }
      var reach = bindReach
      if let exposure, exposure.kind == .restricted { reach = min(bindReach, max(SourceReach.reach(exposure.sources), .linkLocal)) }
      guard !host.policy.allows(group.proto, group.port, reach: reach) else { return nil }
      var severity: Severity
      switch reach {
      case .public: severity = .critical
      case .privateNetwork: severity = .high
      default: severity = .medium
      }
      if service.service.name == "docker-api" && group.port == 2375 { severity = .critical }
      let through = exposure.map { "; effective exposure: " + $0.summary } ?? ""
      return host.finding(
        info, severity: severity, socket: group.widest.findingSocket,
        evidence: "\(service.summary) — \(group.evidence)\(through)", fix: fix(service.service.name))
    }
  }

  static func fix(_ service: String) -> String {
    switch service {
    case "postgres": return "Set listen_addresses = 'localhost' in postgresql.conf (or a private address plus a firewall and pg_hba.conf rules)."
    case "mysql": return "Set bind-address = 127.0.0.1 in my.cnf, or firewall 3306 to the application hosts."
    case "redis": return "Set `bind 127.0.0.1 -::1` and `protected-mode yes` in redis.conf, and require a password (requirepass/ACL)."
    case "memcached": return "Start memcached with -l 127.0.0.1 (and -U 0 to turn UDP off)."
    case "mongodb": return "Set net.bindIp: 127.0.0.1 in mongod.conf and enable authorization."
    case "elasticsearch": return "Set network.host: 127.0.0.1 (or a private address) and enable security (xpack.security.enabled)."
    case "etcd": return "Listen on 127.0.0.1 or use client certificate auth (--client-cert-auth) and firewall 2379/2380."
    case "docker-api": return "Remove -H tcp://… from dockerd; use the Unix socket or SSH (DOCKER_HOST=ssh://), or TLS with client certs (tlsverify) on 2376."
    case "kubelet": return "Set authentication.anonymous.enabled=false and authorization.mode=Webhook; firewall 10250 to the control plane."
    default: return "Bind it to 127.0.0.1 (or a private address) and firewall the port to the hosts that need it."
    }
  }
}
