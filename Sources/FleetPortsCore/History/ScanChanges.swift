/// What changed between two scans of a fleet: hosts, listeners and findings. A listener is
/// identified by (host, protocol, bind address, port), never by PID, so restarts are no change.
public struct ScanChanges: Codable, Hashable, Sendable {
  /// How the two scans are named to people (stored scan ids or started-at times).
  public var old: String
  public var new: String
  public var hosts: [HostChange]
  public var listeners: [ListenerChange]
  public var findings: [FindingChange]

  public init(old: String, new: String, hosts: [HostChange], listeners: [ListenerChange], findings: [FindingChange]) {
    self.old = old
    self.new = new
    self.hosts = hosts
    self.listeners = listeners
    self.findings = findings
  }

  public var isEmpty: Bool { hosts.isEmpty && listeners.isEmpty && findings.isEmpty }
}

/// A host that came, went, or stopped or started answering.
public struct HostChange: Codable, Hashable, Sendable {
  public enum Kind: String, Codable, Hashable, Sendable {
    case appeared
    case vanished
    /// Scanned before, failed now (the detail says why).
    case nowUnreachable = "now-unreachable"
    case reachableAgain = "reachable-again"
  }

  public var kind: Kind
  public var host: String
  public var detail: String?

  public init(kind: Kind, host: String, detail: String? = nil) {
    self.kind = kind
    self.host = host
    self.detail = detail
  }
}

/// One bind of a listener as a scan saw it.
public struct ListenerBind: Codable, Hashable, Sendable, Comparable {
  /// The bind address (`0.0.0.0`, `::`, `10.0.0.5`) or, for a Unix socket, its path.
  public var address: String
  public var reach: ReachClass?
  /// Owner process names, sorted, without PIDs.
  public var processes: [String]
  /// The effective exposure through the firewall (`Listener.exposure`) and its one-line
  /// summary naming the deciding rule; nil when not judged (loopback, Unix, older scans).
  public var exposure: ListenerExposure.Kind?
  public var exposureSummary: String?
  /// The owners by what names them across scans (`OwnerKey`: executable, unit, container),
  /// sorted; nil in scans without process identities (then `processes` is compared).
  public var owners: [OwnerKey]?

  public init(
    address: String, reach: ReachClass?, processes: [String], exposure: ListenerExposure.Kind? = nil, exposureSummary: String? = nil,
    owners: [OwnerKey]? = nil
  ) {
    self.address = address
    self.reach = reach
    self.processes = processes
    self.owners = owners
    self.exposure = exposure
    self.exposureSummary = exposureSummary
  }

  public static func < (lhs: ListenerBind, rhs: ListenerBind) -> Bool { lhs.address < rhs.address }
}

/// A listener that opened, closed, widened or narrowed its bind, or changed owner.
public struct ListenerChange: Codable, Hashable, Sendable {
  public enum Kind: String, Codable, Hashable, Sendable {
    case new
    case closed
    /// The same port now reaches further (loopback → private network → public).
    case bindWidened = "bind-widened"
    case bindNarrowed = "bind-narrowed"
    /// Same binds, other owners: by executable, unit and container where both scans read
    /// process identities, else by process name; never by pid (a restart is no change).
    case ownerChanged = "owner-changed"
    /// Same binds, but the firewall or NAT in front now lets other connections through
    /// (blocked → open, open → restricted, …); both scans read the rules.
    case exposureChanged = "exposure-changed"
  }

  public var kind: Kind
  public var host: String
  public var proto: SocketProtocol
  /// nil for Unix sockets (their path is the bind address).
  public var port: UInt16?
  public var before: [ListenerBind]
  public var after: [ListenerBind]

  public init(kind: Kind, host: String, proto: SocketProtocol, port: UInt16?, before: [ListenerBind], after: [ListenerBind]) {
    self.kind = kind
    self.host = host
    self.proto = proto
    self.port = port
    self.before = before
    self.after = after
  }
}

/// A finding that appeared or went away (suppressed findings are not counted either way).
public struct FindingChange: Codable, Hashable, Sendable {
  public enum Kind: String, Codable, Hashable, Sendable {
    case new
    case resolved
  }

  public var kind: Kind
  public var finding: Finding

  public init(kind: Kind, finding: Finding) {
    self.kind = kind
    self.finding = finding
  }
}
