/// `required-listener-missing`: a listener the policy's `require:` lists for the host (from
/// `defaults`, its groups or the host itself) is not there: sshd on 22/tcp stopped, the
/// monitoring exporter gone. Runs only with a policy that requires something.
enum RequiredListenerRule {
  static let info = RuleInfo(
    id: "required-listener-missing", severity: .medium, title: "Required listener missing",
    triggers: "with --policy: no TCP/UDP listener (any reach) on a port in the host's require list, owned by the service or process named there")

  static func evaluate(_ host: HostContext) -> [Finding] {
    host.policy.required.compactMap { required in
      let candidates = host.listeners.filter { $0.port == required.port && [.tcp, .udp].contains($0.proto) }
      if candidates.contains(where: required.isSatisfied) { return nil }
      // Without complete attribution an ownerless listener on the port may well be the service:
      // not knowing is no evidence that it is missing.
      let attributionComplete = host.snapshot.provenance.attribution == .complete
      if !attributionComplete && candidates.contains(where: { $0.socket.processes.isEmpty && (required.proto ?? $0.proto) == $0.proto }) {
        return nil
      }
      let protoText = required.proto.map { $0.rawValue.uppercased() } ?? "TCP or UDP"
      var evidence = "required: \(required)" + (required.location.map { " (\($0))" } ?? "") + "; "
      if candidates.isEmpty {
        evidence += "no \(protoText) listener on port \(required.port)"
      } else {
        evidence += "port \(required.port) is held by " + candidates.map(\.described).joined(separator: "; ")
        evidence += ", not by \(required.service ?? "the required owner")"
      }
      let what = required.service.map { "\($0) on \(required.port)" } ?? "the listener on \(required.port)"
      return host.finding(
        info, socket: nil, evidence: evidence,
        fix: "Start \(what) (e.g. `systemctl start` its unit) and find why it stopped; if this host no longer needs it, remove it from require: in the policy.")
    }
  }
}
