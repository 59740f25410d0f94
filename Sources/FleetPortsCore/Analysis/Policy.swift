/// What a fleet's owner allows and accepts: exposures per host and group, thresholds, and
/// suppressions with a reason and an expiry. Read from YAML by `PolicyLoader` (FleetPortsScan);
/// see docs/policy.md.
public struct Policy: Hashable, Sendable, Codable {
  /// Applies to every host.
  public var defaults: PolicyRules
  /// By inventory group name.
  public var groups: [String: PolicyRules]
  /// By inventory host name (`HostResult.name`).
  public var hosts: [String: PolicyRules]
  public var suppressions: [Suppression]

  public init(
    defaults: PolicyRules = PolicyRules(), groups: [String: PolicyRules] = [:], hosts: [String: PolicyRules] = [:],
    suppressions: [Suppression] = []
  ) {
    self.defaults = defaults
    self.groups = groups
    self.hosts = hosts
    self.suppressions = suppressions
  }

  /// The rules for one host: allowances add up over defaults, the host's groups and the host;
  /// a threshold comes from the host, else the strictest of its groups, else the defaults.
  public func effective(host: String, groups hostGroups: [String]) -> EffectivePolicy {
    let groupRules = hostGroups.sorted().compactMap { groups[$0] }
    let hostRules = hosts[host]
    let layers = [defaults] + groupRules + (hostRules.map { [$0] } ?? [])
    var result = EffectivePolicy()
    for layer in layers {
      result.allowPublic += layer.allowPublic
      result.allowPrivate += layer.allowPrivate
      for required in layer.require where !result.required.contains(required) { result.required.append(required) }
    }
    result.thresholds = Thresholds.builtIn
      .overridden(by: defaults.thresholds)
      .overridden(by: Thresholds.strictest(groupRules.map(\.thresholds)))
      .overridden(by: hostRules?.thresholds ?? PolicyThresholds())
    return result
  }
}

/// One level of a policy (`defaults`, a group or a host).
public struct PolicyRules: Hashable, Sendable, Codable {
  /// Ports that may be reachable from public addresses (and so from private ones too).
  public var allowPublic: [PortAllowance]
  /// Ports that may be reachable from private networks (RFC 1918, ULA, CGNAT, link-local).
  public var allowPrivate: [PortAllowance]
  public var thresholds: PolicyThresholds
  /// Listeners every host of this level must have (`require:`); they add up over the levels.
  public var require: [RequiredListener]

  public init(
    allowPublic: [PortAllowance] = [], allowPrivate: [PortAllowance] = [], thresholds: PolicyThresholds = PolicyThresholds(),
    require: [RequiredListener] = []
  ) {
    self.allowPublic = allowPublic
    self.allowPrivate = allowPrivate
    self.thresholds = thresholds
    self.require = require
  }
}

extension PolicyRules {
  enum CodingKeys: String, CodingKey {
    case allowPublic, allowPrivate, thresholds, require
  }

  /// Reads a level; `require` is optional so policies encoded before it existed still decode.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    allowPublic = try container.decode([PortAllowance].self, forKey: .allowPublic)
    allowPrivate = try container.decode([PortAllowance].self, forKey: .allowPrivate)
    thresholds = try container.decode(PolicyThresholds.self, forKey: .thresholds)
    require = try container.decodeIfPresent([RequiredListener].self, forKey: .require) ?? []
  }
}

/// A listener a host must have (`require:` in a policy): a port, for one protocol or either,
/// and optionally the service or process that must own it (`sshd` on 22/tcp). Its absence
/// is the `required-listener-missing` finding.
public struct RequiredListener: Hashable, Sendable, Codable, CustomStringConvertible {
  public var port: UInt16
  /// nil: a TCP or a UDP listener satisfies it.
  public var proto: SocketProtocol?
  /// A service name (`ssh`, `postgres`, as fleetports identifies services) or an owner
  /// process name (`sshd`, `node_exporter`); nil: any owner.
  public var service: String?
  /// Where the policy wrote it (`policy.yaml:12:7`), for the finding's evidence.
  public var location: String?

  public init(port: UInt16, proto: SocketProtocol? = nil, service: String? = nil, location: String? = nil) {
    self.port = port
    self.proto = proto
    self.service = service
    self.location = location
  }

  /// Whether `listener` fulfils it: same port and protocol (TCP or UDP when none is given),
  /// any reach (a loopback-only exporter still runs), and, when a service is named, the
  /// identified service or one of the owner processes carries that name.
  public func isSatisfied(by listener: Listener) -> Bool {
    guard listener.port == port, listener.proto == proto ?? listener.proto, [.tcp, .udp].contains(listener.proto) else {
      return false
    }
    guard let service else { return true }
    if listener.service?.service.name == service { return true }
    return listener.socket.processes.contains { ServiceIdentifier.normalizedName($0.name) == service }
  }

  /// `sshd on 22/tcp`, `9100`.
  public var description: String {
    let slot = proto.map { "\(port)/\($0.rawValue)" } ?? "\(port)"
    return service.map { "\($0) on \(slot)" } ?? slot
  }

  /// Two entries are the same requirement whatever line they were written on.
  public static func == (a: RequiredListener, b: RequiredListener) -> Bool {
    a.port == b.port && a.proto == b.proto && a.service == b.service
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(port)
    hasher.combine(proto)
    hasher.combine(service)
  }
}

/// A port or port range, for one protocol or both: `80`, `"5432/tcp"`, `"8000-8099"`.
public struct PortAllowance: Hashable, Sendable, Codable, CustomStringConvertible {
  public var ports: ClosedRange<UInt16>
  /// nil: TCP and UDP.
  public var proto: SocketProtocol?

  public init(ports: ClosedRange<UInt16>, proto: SocketProtocol? = nil) {
    self.ports = ports
    self.proto = proto
  }

  /// Reads `80`, `80/tcp`, `53/udp`, `8000-8099`, `8000-8099/tcp`; nil for anything else.
  public init?(_ text: String) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count <= 2 else { return nil }
    if parts.count == 2 {
      switch parts[1] {
      case "tcp": proto = .tcp
      case "udp": proto = .udp
      default: return nil
      }
    } else {
      proto = nil
    }
    let bounds = parts[0].split(separator: "-", omittingEmptySubsequences: false)
    guard (1...2).contains(bounds.count), let first = bounds.first, let last = bounds.last,
      let low = UInt16(first), let high = UInt16(last), low >= 1, low <= high
    else { return nil }  // port 0 is no port
    ports = low...high
  }

  public func allows(_ proto: SocketProtocol, _ port: UInt16) -> Bool {
    (self.proto == nil || self.proto == proto) && ports.contains(port)
  }

  public var description: String {
    let range = ports.lowerBound == ports.upperBound ? "\(ports.lowerBound)" : "\(ports.lowerBound)-\(ports.upperBound)"
    return proto.map { "\(range)/\($0.rawValue)" } ?? range
  }
}

/// Thresholds as a policy level writes them; nil means "not set here".
public struct PolicyThresholds: Hashable, Sendable, Codable {
  public var closeWait: Int?
  public var timeWait: Int?
  public var queuePercent: Int?
  public var peerOutlierPercent: Int?

  public init(closeWait: Int? = nil, timeWait: Int? = nil, queuePercent: Int? = nil, peerOutlierPercent: Int? = nil) {
    self.closeWait = closeWait
    self.timeWait = timeWait
    self.queuePercent = queuePercent
    self.peerOutlierPercent = peerOutlierPercent
  }
}

/// The thresholds the rules use for one host.
public struct Thresholds: Hashable, Sendable, Codable {
  /// CLOSE-WAIT sockets one process may hold before `close-wait-pileup` (at least this many).
  public var closeWait: Int
  /// TIME-WAIT sockets on a host before `time-wait-volume` (at least this many).
  public var timeWait: Int
  /// Recv-Q as a percentage of the backlog at which a listener counts as under accept-queue pressure.
  public var queuePercent: Int
  /// A (protocol, port) on fewer than this percentage of its group's hosts is a peer outlier.
  public var peerOutlierPercent: Int

  public init(closeWait: Int, timeWait: Int, queuePercent: Int, peerOutlierPercent: Int) {
    self.closeWait = closeWait
    self.timeWait = timeWait
    self.queuePercent = queuePercent
    self.peerOutlierPercent = peerOutlierPercent
  }

  /// The defaults (docs/policy.md explains each choice).
  public static let builtIn = Thresholds(closeWait: 2, timeWait: 1000, queuePercent: 80, peerOutlierPercent: 20)

  func overridden(by policy: PolicyThresholds) -> Thresholds {
    Thresholds(
      closeWait: policy.closeWait ?? closeWait, timeWait: policy.timeWait ?? timeWait,
      queuePercent: policy.queuePercent ?? queuePercent, peerOutlierPercent: policy.peerOutlierPercent ?? peerOutlierPercent)
  }

  /// The lowest value each threshold is set to (lower means stricter for every threshold).
  static func strictest(_ levels: [PolicyThresholds]) -> PolicyThresholds {
    PolicyThresholds(
      closeWait: levels.compactMap(\.closeWait).min(), timeWait: levels.compactMap(\.timeWait).min(),
      queuePercent: levels.compactMap(\.queuePercent).min(), peerOutlierPercent: levels.compactMap(\.peerOutlierPercent).max())
  }
}

/// The policy as it applies to one host.
public struct EffectivePolicy: Hashable, Sendable, Codable {
  public var allowPublic: [PortAllowance] = []
  public var allowPrivate: [PortAllowance] = []
  public var thresholds: Thresholds = .builtIn
  /// Listeners the host must have, from every level, each once.
  public var required: [RequiredListener] = []

  public init() {}

  /// Whether a listener may have this reach: loopback and an unpublished container's network always; private-network and link-local
  /// when the port is allowed private or public; public when allowed public.
  public func allows(_ proto: SocketProtocol, _ port: UInt16, reach: ReachClass) -> Bool {
    switch reach {
    case .loopback, .containerNetwork: return true
    case .linkLocal, .privateNetwork:
      return (allowPrivate + allowPublic).contains { $0.allows(proto, port) }
    case .public:
      return allowPublic.contains { $0.allows(proto, port) }
    }
  }

  /// The allowance that admits this listener, for evidence.
  public func allowance(_ proto: SocketProtocol, _ port: UInt16, reach: ReachClass) -> String? {
    switch reach {
    case .loopback, .containerNetwork: return nil
    case .linkLocal, .privateNetwork:
      if let hit = allowPrivate.first(where: { $0.allows(proto, port) }) { return "allow.private \(hit)" }
      return allowPublic.first { $0.allows(proto, port) }.map { "allow.public \($0)" }
    case .public:
      return allowPublic.first { $0.allows(proto, port) }.map { "allow.public \($0)" }
    }
  }
}
