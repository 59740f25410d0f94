/// Joins each host port published into a container to the container's listener behind it,
/// so a report shows "host 0.0.0.0:8080 → container web 172.17.0.2:80 (nginx)" as one
/// exposure instead of two unrelated sockets. Publications come from docker-proxy command
/// lines (`NamespaceScan.publications`), from the DNATs the firewall evaluator found for a
/// host listener (`ListenerExposure.dnat`) and from the NAT rules alone (`NATPublications`:
/// Docker without its userland proxy); the same mapping from several is one publication.
///
/// A container listener a publication leads to takes the host side's reach (the host
/// address's, against the host's addresses) and its exposure through the firewall; one no
/// publication leads to keeps `container-network`.
public enum ContainerPublishing {
  public static func join(_ listeners: inout [Listener], snapshot: HostSnapshot, judge: ExposureJudge) {
    let namespaces = snapshot.namespaces?.namespaces ?? []
    var publications = snapshot.namespaces?.publications ?? []
    // The NAT rules themselves: a port Docker publishes without its userland proxy has no host listener.
    if !namespaces.isEmpty, let ruleset = snapshot.firewall?.ruleset() { publications += NATPublications.publications(ruleset) }
    for listener in listeners where listener.netns == nil {
      guard let port = listener.port, let exposure = listener.exposure else { continue }
      for rewrite in exposure.dnat {
        guard let address = rewrite.address else { continue }
        publications.append(
          PortPublication(
            proto: listener.proto, hostAddress: listener.bind, hostPort: port, containerAddress: address,
            containerPort: rewrite.port ?? port, sources: [.dnat]))
      }
    }
    for publication in merged(publications) {
      if let host = listeners.firstIndex(where: { $0.netns == nil && $0.proto == publication.proto && $0.port == publication.hostPort }) {
        listeners[host].publications.append(publication)
      }
      guard let namespace = namespaces.first(where: { $0.addresses.contains(publication.containerAddress) }),
        let target = listeners.firstIndex(where: { leadsTo(publication, $0, namespace: namespace.inode) })
      else { continue }
      listeners[target].publications.append(publication)
      let hostSide = Listener(
        SocketRecord(
          proto: publication.proto, state: publication.proto == .udp ? .unconnected : .listen,
          local: Endpoint(address: HostAddress.parse(Substring(publication.hostAddress)), port: publication.hostPort)),
        hostAddresses: snapshot.addresses)
      guard let reach = hostSide.reach else { continue }
      if listeners[target].reach.map({ reach.reach > $0.reach || $0.reach == .containerNetwork }) ?? true {
        listeners[target].reach = ReachAssessment(
          reach: reach.reach,
          basis:
            "published as host \(publication.hostText) (\(publication.sources.map(\.rawValue).joined(separator: ", "))): \(reach.basis)")
        let front = listeners.first { $0.netns == nil && $0.proto == publication.proto && $0.port == publication.hostPort }
        listeners[target].exposure = front?.exposure ?? judge.exposure(of: hostSide)
      }
    }
  }

  /// One publication per (protocol, host port, container address, container port), with every source that showed it.
  static func merged(_ publications: [PortPublication]) -> [PortPublication] {
    var order: [String] = []
    var byKey: [String: PortPublication] = [:]
    for publication in publications {
      let key = "\(publication.proto.rawValue) \(publication.hostPort) \(publication.containerText)"
      guard var existing = byKey[key] else {
        order.append(key)
        byKey[key] = publication
        continue
      }
      existing.sources = Array(Set(existing.sources + publication.sources)).sorted { $0.rawValue < $1.rawValue }
      if existing.proxyPID == nil {
        existing.proxyPID = publication.proxyPID
        existing.hostAddress = publication.hostAddress
      }
      byKey[key] = existing
    }
    return order.compactMap { byKey[$0] }
  }

  /// Whether `listener` (in namespace `inode`) is what `publication` forwards to: same protocol
  /// and port, bound to the container address or a wildcard.
  static func leadsTo(_ publication: PortPublication, _ listener: Listener, namespace inode: UInt64) -> Bool {
    guard listener.netns == inode, listener.proto == publication.proto, listener.port == publication.containerPort else { return false }
    return listener.socket.local?.address.isWildcard == true || listener.bind == publication.containerAddress
  }
}
