/// Builds a `FleetAggregate` from the analysed hosts' listeners.
public enum FleetAggregation {
  /// The aggregate of `contexts` (hosts scanned successfully), peer outliers judged with the
  /// policy's `peer_outlier_percent` (20 without one).
  public static func aggregate(_ contexts: [HostContext], policy: Policy?) -> FleetAggregate {
    var rows: [String: FleetAggregate.PortRow] = [:]
    var serviceVotes: [String: [String: Int]] = [:]
    var services: [String: (category: ServiceCategory, hosts: [String])] = [:]
    var reach = FleetAggregate.ReachCounts()
    var reachByHost: [String: FleetAggregate.ReachCounts] = [:]
    var exposure: [String: Int] = [:]
    for host in contexts {
      var counts = FleetAggregate.ReachCounts()
      for listener in host.listeners {
        guard let assessed = listener.reach?.reach else { continue }
        counts[assessed] += 1
        if let kind = listener.exposure?.kind { exposure[kind.rawValue, default: 0] += 1 }
        guard listener.proto.hasPorts, let port = listener.port else { continue }
        let key = "\(listener.proto.rawValue)/\(port)"
        var row = rows[key] ?? FleetAggregate.PortRow(proto: listener.proto, port: port, service: nil, hosts: [:], exposures: nil)
        row.hosts[host.name] = max(row.hosts[host.name] ?? assessed, assessed)
        if let kind = listener.exposure?.kind {
          var kinds = row.exposures ?? [:]
          kinds[host.name] = max(kinds[host.name] ?? kind, kind)
          row.exposures = kinds
        }
        rows[key] = row
        if let service = listener.service?.service {
          serviceVotes[key, default: [:]][service.name, default: 0] += 1
          var entry = services[service.name] ?? (service.category, [])
          if !entry.hosts.contains(host.name) { entry.hosts.append(host.name) }
          services[service.name] = entry
        }
      }
      for r in ReachClass.allCases { reach[r] += counts[r] }
      reachByHost[host.name] = counts
    }
    for (key, votes) in serviceVotes {
      rows[key]?.service = votes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.first?.key
    }
    let ports = rows.values.sorted { ($0.port, $0.proto.rawValue) < ($1.port, $1.proto.rawValue) }
    let serviceList = services.map { FleetAggregate.ServiceHosts(service: $0.key, category: $0.value.category, hosts: $0.value.hosts) }
      .sorted { $0.service < $1.service }
    return FleetAggregate(
      hosts: contexts.map(\.name), ports: ports, services: serviceList, reach: reach, reachByHost: reachByHost,
      outliers: outliers(contexts, policy: policy), exposure: exposure)
  }

  /// Per group: each (protocol, port) reachable beyond loopback that fewer than k % of the
  /// group's hosts have (k from the group's or the defaults' peer_outlier_percent, else 20).
  static func outliers(_ contexts: [HostContext], policy: Policy?) -> [FleetAggregate.PeerOutlier] {
    var members: [String: [HostContext]] = [:]
    for host in contexts {
      for group in host.groups.isEmpty ? [FleetAggregate.ungrouped] : host.groups { members[group, default: []].append(host) }
    }
    var result: [FleetAggregate.PeerOutlier] = []
    for (group, hosts) in members.sorted(by: { $0.key < $1.key }) where hosts.count >= 2 {
      let percent =
        policy?.groups[group]?.thresholds.peerOutlierPercent ?? policy?.defaults.thresholds.peerOutlierPercent
        ?? Thresholds.builtIn.peerOutlierPercent
      var holders: [String: (proto: SocketProtocol, port: UInt16, hosts: [String])] = [:]
      for host in hosts {
        // A container's own ports are not the host's: the published host port stands for them.
        for listener in host.portListeners where listener.netns == nil && (listener.reach?.reach ?? .loopback) > .loopback {
          guard let port = listener.port else { continue }
          let key = "\(listener.proto.rawValue)/\(port)"
          var entry = holders[key] ?? (listener.proto, port, [])
          if !entry.hosts.contains(host.name) { entry.hosts.append(host.name) }
          holders[key] = entry
        }
      }
      for entry in holders.values where entry.hosts.count * 100 < percent * hosts.count {
        result.append(
          FleetAggregate.PeerOutlier(
            group: group, proto: entry.proto, port: entry.port, hosts: entry.hosts, groupSize: hosts.count, thresholdPercent: percent))
      }
    }
    return result.sorted { ($0.group, $0.port, $0.proto.rawValue) < ($1.group, $1.port, $1.proto.rawValue) }
  }
}
