/// `time-wait-volume`: many TCP sockets in TIME-WAIT on a host, for information (churn of
/// short connections; near the ephemeral port range it starves new outgoing connections).
enum TimeWaitRule {
  static let info = RuleInfo(
    id: "time-wait-volume", severity: .info, title: "Many TIME-WAIT sockets",
    triggers: "at least thresholds.time_wait (default 1000) TCP sockets in TIME-WAIT on one host")

  static func evaluate(_ host: HostContext) -> [Finding] {
    let sockets = host.snapshot.sockets.filter { $0.proto == .tcp && $0.state == .timeWait }
    guard sockets.count >= max(1, host.policy.thresholds.timeWait) else { return [] }
    var byPeer: [String: Int] = [:]
    for socket in sockets {
      byPeer[socket.peer.map(\.description) ?? "?", default: 0] += 1
    }
    let top = byPeer.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(3)
    let evidence = "\(sockets.count) TCP sockets in TIME-WAIT (threshold \(host.policy.thresholds.timeWait)); most to "
      + top.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
    return [
      host.finding(
        info, socket: nil, evidence: evidence,
        fix: "Reuse connections (keep-alive, pooling) for the busiest peers; if ports run short, widen net.ipv4.ip_local_port_range.")
    ]
  }
}
