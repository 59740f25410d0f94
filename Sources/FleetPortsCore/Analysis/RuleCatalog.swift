/// A rule's stable id, its usual severity and what it looks for (docs/policy.md lists them).
public struct RuleInfo: Hashable, Sendable, Codable {
  public var id: String
  /// The severity the rule gives most of its findings; some vary it with reach or count.
  public var severity: Severity
  public var title: String
  public var triggers: String

  public init(id: String, severity: Severity, title: String, triggers: String) {
    self.id = id
    self.severity = severity
    self.title = title
    self.triggers = triggers
  }
}

/// Every rule the analysis runs, in the order it runs them.
public enum RuleCatalog {
  /// A rule: its description and the function that checks one host.
  struct Entry: Sendable {
    var info: RuleInfo
    var evaluate: @Sendable (HostContext) -> [Finding]
  }

  static let entries: [Entry] = [
    Entry(info: DatastoreExposedRule.info, evaluate: DatastoreExposedRule.evaluate),
    Entry(info: PublicNotAllowedRule.info, evaluate: PublicNotAllowedRule.evaluate),
    Entry(info: UDPAmplifierRule.info, evaluate: UDPAmplifierRule.evaluate),
    Entry(info: CloseWaitRule.info, evaluate: CloseWaitRule.evaluate),
    Entry(info: AcceptQueueRule.info, evaluate: AcceptQueueRule.evaluate),
    Entry(info: WorldWritableUnixSocketRule.info, evaluate: WorldWritableUnixSocketRule.evaluate),
    Entry(info: AbstractUnixSocketRule.info, evaluate: AbstractUnixSocketRule.evaluate),
    Entry(info: PrivilegedPortRule.info, evaluate: PrivilegedPortRule.evaluate),
    Entry(info: UnknownOwnerRule.info, evaluate: UnknownOwnerRule.evaluate),
    Entry(info: DeletedExecutableRule.info, evaluate: DeletedExecutableRule.evaluate),
    Entry(info: TimeWaitRule.info, evaluate: TimeWaitRule.evaluate),
    Entry(info: RequiredListenerRule.info, evaluate: RequiredListenerRule.evaluate),
    Entry(info: FirewallBypassedByNATRule.info, evaluate: FirewallBypassedByNATRule.evaluate),
    Entry(info: NoFirewallRule.info, evaluate: NoFirewallRule.evaluate),
    Entry(info: ContainerListenerPublishedRule.info, evaluate: ContainerListenerPublishedRule.evaluate),
  ]

  /// Rules judged across hosts, after the per-host ones (`ExposureAnalysis` runs them).
  static let fleetRules: [RuleInfo] = [PeerOutlierRule.info]

  /// Every rule, per-host ones first.
  public static var rules: [RuleInfo] { entries.map(\.info) + fleetRules }
  /// Every rule id, for checking a policy's suppressions.
  public static var ids: Set<String> { Set(rules.map(\.id)) }
}

/// Listeners of one (protocol, port) on a host, reported once: the widest reach decides,
/// the other binds are named in the evidence (postgres on 0.0.0.0 and :: is one finding).
struct PortGroup {
  var proto: SocketProtocol
  var port: UInt16
  var listeners: [Listener]

  /// The listener with the widest reach.
  // swift-format-ignore: NeverForceUnwrap
  // `groups(_:)` makes a group only with a listener in it.
  var widest: Listener {
    listeners.max { ($0.reach?.reach ?? .loopback) < ($1.reach?.reach ?? .loopback) }!
  }

  // swift-format-ignore: NeverForceUnwrap
  // `groups(_:)` takes only listeners whose reach is known.
  var reach: ReachAssessment { widest.reach! }

  var evidence: String {
    var text = widest.described + "; reach \(reach.reach.rawValue): \(reach.basis)"
    let others = listeners.filter { $0 != widest }.map(\.bind)
    if !others.isEmpty { text += "; also bound to " + others.joined(separator: ", ") }
    return text
  }

  static func groups(_ listeners: [Listener]) -> [PortGroup] {
    var order: [String] = []
    var byKey: [String: PortGroup] = [:]
    for listener in listeners {
      guard let port = listener.port, listener.reach != nil else { continue }
      // A container's namespace has ports of its own: its :80 is not the host's :80.
      let key = "\(listener.proto.rawValue)/\(port)" + (listener.netns.map { " netns \($0)" } ?? "")
      if byKey[key] == nil {
        order.append(key)
        byKey[key] = PortGroup(proto: listener.proto, port: port, listeners: [])
      }
      byKey[key]?.listeners.append(listener)
    }
    return order.compactMap { byKey[$0] }
  }
}
