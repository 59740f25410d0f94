/// How much a finding matters; ordered from `info` to `critical`.
public enum Severity: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
  case info
  case low
  case medium
  case high
  case critical

  private var rank: Int { Severity.allCases.firstIndex(of: self) ?? 0 }
  public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// The socket a finding is about, as reports show it.
public struct FindingSocket: Hashable, Sendable, Codable {
  public var proto: SocketProtocol
  /// The bind address (`0.0.0.0`, `::`, `10.0.0.5`) or, for Unix sockets, the path.
  public var address: String
  public var port: UInt16?
  public var processes: [String]
  public var user: String?
  public var reach: ReachClass?

  public init(proto: SocketProtocol, address: String, port: UInt16?, processes: [String], user: String?, reach: ReachClass?) {
    self.proto = proto
    self.address = address
    self.port = port
    self.processes = processes
    self.user = user
    self.reach = reach
  }
}

/// Why a finding is not counted: a policy suppression with its reason and expiry.
public struct FindingSuppression: Hashable, Sendable, Codable {
  public var reason: String
  /// `YYYY-MM-DD`; nil when the suppression never expires.
  public var expires: String?

  public init(reason: String, expires: String?) {
    self.reason = reason
    self.expires = expires
  }
}

/// One thing wrong (or worth knowing) on one host: which rule, how bad, the evidence that
/// shows it, and a one-line fix.
public struct Finding: Hashable, Sendable, Codable {
  /// A stable rule id, e.g. `datastore-exposed`.
  public var ruleID: String
  public var severity: Severity
  public var title: String
  /// The host's inventory name (`HostResult.name`).
  public var host: String
  public var socket: FindingSocket?
  public var evidence: String
  public var fix: String
  /// Set when a policy suppresses this finding; suppressed findings never fail a scan.
  public var suppressed: FindingSuppression?

  public init(
    ruleID: String, severity: Severity, title: String, host: String, socket: FindingSocket?, evidence: String, fix: String,
    suppressed: FindingSuppression? = nil
  ) {
    self.ruleID = ruleID
    self.severity = severity
    self.title = title
    self.host = host
    self.socket = socket
    self.evidence = evidence
    self.fix = fix
    self.suppressed = suppressed
  }
}
