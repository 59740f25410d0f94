/// `peer-outlier`: a listener reachable beyond loopback that few of the host's peers have (on
/// fewer than `peer_outlier_percent` % of its group's hosts; hosts in no group form
/// `(ungrouped)`; groups of one host are never compared). The odd one out is often a
/// forgotten debug port or a service started by hand. Judged across hosts, from
/// `FleetAggregate.outliers`, after the per-host rules.
enum PeerOutlierRule {
  static let info = RuleInfo(
    id: "peer-outlier", severity: .low, title: "Listener rare among its peers",
    triggers: "a TCP/UDP port reachable beyond loopback on fewer than peer_outlier_percent % (default 20) of the hosts of a group of two or more")

  /// One finding per (host, protocol, port) among `outliers`, naming every group it is rare in.
  static func findings(_ outliers: [FleetAggregate.PeerOutlier], contexts: [HostContext]) -> [Finding] {
    let byName = Dictionary(contexts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var order: [String] = []
    var groups: [String: (host: HostContext, proto: SocketProtocol, port: UInt16, rare: [FleetAggregate.PeerOutlier])] = [:]
    for outlier in outliers {
      for name in outlier.hosts {
        guard let host = byName[name] else { continue }
        let key = "\(name)\u{0}\(outlier.proto.rawValue)/\(outlier.port)"
        if groups[key] == nil {
          order.append(key)
          groups[key] = (host, outlier.proto, outlier.port, [])
        }
        groups[key]?.rare.append(outlier)
      }
    }
    return order.compactMap { key -> Finding? in
      guard let entry = groups[key] else { return nil }
      let listeners = entry.host.portListeners.filter {
        $0.netns == nil && $0.proto == entry.proto && $0.port == entry.port && ($0.reach?.reach ?? .loopback) > .loopback
      }
      guard let group = PortGroup.groups(listeners).first else { return nil }
      let service = group.widest.service.map { "\($0.summary) — " } ?? ""
      let peers = entry.rare.map { outlier in
        "\(outlier.hosts.count) of \(outlier.groupSize) hosts of group \(outlier.group) have it (threshold \(outlier.thresholdPercent) %)"
      }
      return entry.host.finding(
        info, socket: group.widest.findingSocket, evidence: service + group.evidence + "; " + peers.joined(separator: "; "),
        fix: "Check why only this host serves \(entry.port)/\(entry.proto.rawValue): stop it or bind it to loopback if it is a leftover; if it belongs, suppress this finding for the host with a reason.")
    }
  }
}
