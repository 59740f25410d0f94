/// `udp-amplifier`: a UDP service that answers small spoofable queries with large replies
/// (memcached, NTP, DNS, SSDP, chargen, SNMP, portmap) reachable beyond loopback.
enum UDPAmplifierRule {
  static let info = RuleInfo(
    id: "udp-amplifier", severity: .medium, title: "UDP amplifier reachable beyond loopback",
    triggers: "a UDP listener identified as memcached 11211, NTP 123, DNS 53, SSDP 1900, chargen 19, SNMP 161 or portmap 111 "
      + "with reach wider than loopback and not allowed by policy; high when public, medium private, low link-local")

  static func evaluate(_ host: HostContext) -> [Finding] {
    let candidates = host.portListeners.filter { listener in
      guard listener.proto == .udp, let port = listener.port, let service = listener.service else { return false }
      return service.service.amplifierUDPPorts.contains(port)
    }
    return PortGroup.groups(candidates).compactMap { group in
      let reach = group.reach.reach
      guard reach > .loopback, !host.policy.allows(.udp, group.port, reach: reach) else { return nil }
      guard let service = group.widest.service else { return nil }
      let severity: Severity = reach == .public ? .high : (reach == .privateNetwork ? .medium : .low)
      return host.finding(
        info, severity: severity, socket: group.widest.findingSocket,
        evidence: "\(service.summary) — \(group.evidence)", fix: fix(service.service.name))
    }
  }

  static func fix(_ service: String) -> String {
    switch service {
    case "memcached": return "Turn memcached's UDP off (-U 0) and bind it to 127.0.0.1 (-l 127.0.0.1)."
    case "ntp": return "Serve time only where needed: `restrict default noquery` / chrony `allow` limited to your networks, or bind to 127.0.0.1."
    case "dns": return "Bind the resolver to 127.0.0.1 or the private interface and refuse recursion to outside clients (allow-recursion / access-control)."
    case "ssdp": return "Disable SSDP/UPnP on this host or firewall UDP 1900."
    case "chargen": return "Disable the chargen service (inetd/xinetd)."
    case "snmp": return "Bind snmpd to the management network only and drop public v1/v2c communities."
    case "rpcbind": return "Stop rpcbind if NFS is not used, or firewall UDP 111."
    default: return "Bind it to 127.0.0.1 or firewall the UDP port."
    }
  }
}
