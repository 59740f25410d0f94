/// One scanned host as the rules see it: its snapshot, its policy, and its listeners with
/// their reach and service worked out once (`Listener`).
public struct HostContext: Sendable {
  public var name: String
  public var groups: [String]
  public var snapshot: HostSnapshot
  public var policy: EffectivePolicy
  /// Whether a policy file was given (rules about allowances only run with one).
  public var hasPolicy: Bool
  /// Every listener of the host, in `Listener.order` (UDP client sockets are not listeners).
  public var listeners: [Listener]
  /// The host's UDP client sockets (`Listener.udpClients(in:)`), shown apart.
  public var udpClients: [Listener]

  public init(name: String, groups: [String], snapshot: HostSnapshot, policy: EffectivePolicy, hasPolicy: Bool) {
    self.name = name
    self.groups = groups
    self.snapshot = snapshot
    self.policy = policy
    self.hasPolicy = hasPolicy
    self.listeners = Listener.all(in: snapshot)
    self.udpClients = Listener.udpClients(in: snapshot)
  }

  /// Listeners with a reach and a port (TCP and UDP): what port rules and the port × host matrix count.
  public var portListeners: [Listener] { listeners.filter { $0.proto.hasPorts && $0.reach != nil && $0.port != nil } }

  func finding(_ rule: RuleInfo, severity: Severity? = nil, socket: FindingSocket?, evidence: String, fix: String) -> Finding {
    Finding(ruleID: rule.id, severity: severity ?? rule.severity, title: rule.title, host: name, socket: socket, evidence: evidence, fix: fix)
  }
}
