/// `close-wait-pileup`: one process holds many TCP sockets in CLOSE-WAIT: the peer closed and
/// the application never called close(), usually a descriptor leak.
enum CloseWaitRule {
  static let info = RuleInfo(
    id: "close-wait-pileup", severity: .low, title: "CLOSE-WAIT pile-up",
    triggers: "a process (or, without owners, a local port) holding at least thresholds.close_wait (default 2) "
      + "TCP sockets in CLOSE-WAIT; medium from 50")

  static func evaluate(_ host: HostContext) -> [Finding] {
    let threshold = max(1, host.policy.thresholds.closeWait)
    var order: [String] = []
    var byOwner: [String: [SocketRecord]] = [:]
    for socket in host.snapshot.sockets where socket.proto == .tcp && socket.state == .closeWait {
      let key: String
      if socket.processes.isEmpty {
        key = "port \(socket.local?.port.map(String.init) ?? "?")"
      } else {
        key = socket.processes.map { "\($0.name)#\($0.pid.map(String.init) ?? "?")" }.sorted().joined(separator: ",")
      }
      if byOwner[key] == nil { order.append(key) }
      byOwner[key, default: []].append(socket)
    }
    return order.compactMap { key in
      let sockets = byOwner[key, default: []]
      guard sockets.count >= threshold else { return nil }
      let first = sockets[0]
      let localPorts = Set(sockets.compactMap { $0.local?.port })
      let localAddresses = Set(sockets.compactMap { $0.local.map { "\($0.address)" } })
      let peers = Set(sockets.compactMap { $0.peer.map { "\($0.address)" } })
      let socket = FindingSocket(
        proto: .tcp, address: (localAddresses.count == 1 ? localAddresses.first : nil) ?? "*",
        port: localPorts.count == 1 ? localPorts.first : nil, processes: first.processes.map(\.name),
        user: SocketText.user(first), reach: nil)
      let portText = localPorts.sorted().prefix(5).map(String.init).joined(separator: ", ")
      var evidence = "\(sockets.count) TCP sockets in CLOSE-WAIT, \(SocketText.owners(first)); local port(s) \(portText)"
      evidence += "; \(peers.count) distinct peer address(es); threshold \(threshold)"
      return host.finding(
        info, severity: sockets.count >= 50 ? .medium : .low, socket: socket, evidence: evidence,
        fix: "The application does not close() connections its peers closed: fix the leak (close on EOF, pool limits, timeouts) and restart it.")
    }
  }
}
