/// `accept-queue-overflow`: a listener whose accept queue is at or near its backlog, or the
/// kernel's ListenOverflows/ListenDrops above zero, naming the listeners most likely to blame.
enum AcceptQueueRule {
  static let info = RuleInfo(
    id: "accept-queue-overflow", severity: .medium, title: "Accept queue overflowing",
    triggers: "a TCP listener with Recv-Q ≥ thresholds.queue_percent (default 80) % of its backlog (backlog = ss Send-Q), "
      + "or TcpExt ListenOverflows/ListenDrops > 0 (one finding per listener with Recv-Q > 0 or at backlog, "
      + "else one host finding at low); medium when the counters confirm drops, low otherwise")

  static func evaluate(_ host: HostContext) -> [Finding] {
    let counters = host.snapshot.counters
    let overflows = counters.listenOverflows ?? 0
    let drops = counters.listenDrops ?? 0
    let counted = overflows > 0 || drops > 0
    let percent = host.policy.thresholds.queuePercent
    let counterText = "TcpExt ListenOverflows \(overflows), ListenDrops \(drops) (host-wide, since boot)"
    var findings: [Finding] = []
    for listener in host.listeners where listener.proto == .tcp && listener.socket.state == .listen {
      let queued = listener.socket.receiveQueue ?? 0
      var pressure = false
      var queueText = "Recv-Q \(queued)"
      if let backlog = listener.socket.listenBacklog {
        // Host-supplied numbers: compare without overflow (a hostile Send-Q must not trap).
        let (left, overflowLeft) = queued.multipliedReportingOverflow(by: 100)
        let (right, overflowRight) = UInt64(max(percent, 0)).multipliedReportingOverflow(by: backlog)
        pressure = queued > 0 && !overflowRight && (overflowLeft || left >= right)
        queueText += " of backlog \(backlog) (backlog from ss Send-Q)"
      } else {
        queueText += " (queue length from /proc/net; backlog unknown: only ss shows it)"
      }
      guard pressure || (counted && queued > 0) else { continue }
      var evidence = listener.described + "; " + queueText
      if pressure { evidence += " ≥ \(percent)% of the backlog" }
      evidence += "; " + counterText
      findings.append(
        host.finding(
          info, severity: counted ? .medium : .low, socket: listener.findingSocket, evidence: evidence,
          fix: "The application accepts too slowly: accept faster (more workers), raise its listen() backlog and net.core.somaxconn."))
    }
    if findings.isEmpty && counted {
      findings.append(
        host.finding(
          info, severity: .low, socket: nil,
          evidence: counterText + "; no listener has a queue now, so the overflows happened earlier",
          fix: "Watch Recv-Q of the listeners (ss -tln) under load; raise backlogs (net.core.somaxconn) for the ones that fill."))
    }
    return findings
  }
}
