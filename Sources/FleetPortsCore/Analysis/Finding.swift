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
  /// The port; for a raw socket the IP protocol number, as `ss -n` prints it.
  public var port: UInt16?
  public var processes: [String]
  public var user: String?
  public var reach: ReachClass?
  /// The listener's effective exposure through the firewall (`Listener.exposure`), with the
  /// deciding rule in words; nil when not judged (loopback, Unix, scans before issue 19).
  public var exposure: ListenerExposure.Kind?
  public var exposureSummary: String?

  public init(proto: SocketProtocol, address: String, port: UInt16?, processes: [String], user: String?, reach: ReachClass?) {
    self.proto = proto
    self.address = address
    self.port = port
    self.processes = processes
    self.user = user
    self.reach = reach
  }
}

extension FindingSocket {
  /// The socket in the one spelling every output uses: `tcp 0.0.0.0:5432`, `unix /run/app.sock`.
  public var text: String { SocketText.socket(proto: proto, bind: address, port: port) }
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

extension Finding {
  /// The one order of findings everywhere (scan.json, reports, terminal): most severe first,
  /// then host (natural order), rule, port, and the socket's text.
  public static func order(_ a: Finding, _ b: Finding) -> Bool {
    if a.severity != b.severity { return a.severity > b.severity }
    if a.host != b.host { return NaturalOrder.areInIncreasingOrder(a.host, b.host) }
    if a.ruleID != b.ruleID { return a.ruleID < b.ruleID }
    if a.socket?.port != b.socket?.port { return (a.socket?.port ?? 0) < (b.socket?.port ?? 0) }
    return (a.socket?.text ?? "") < (b.socket?.text ?? "")
  }
}
