import FleetPortsCore

/// A scan flattened into the rows the history tables hold (pure: no database here); both the
/// SQLite and the PostgreSQL store insert these.
public struct ScanRows: Sendable {
  /// One `host` table row.
  public struct HostRow: Sendable {
    public var name: String
    public var address: String
    public var port: Int
    public var status: String
    public var failureCode: String?
    public var failureMessage: String?
    public var degraded: Bool
    public var listeners: [ListenerRow]
  }

  /// One `listener` table row.
  public struct ListenerRow: Sendable {
    public var proto: String
    public var address: String
    public var port: Int?
    public var processes: String
    public var user: String?
    public var uid: Int64?
    public var reach: String?
  }

  /// One `finding` table row.
  public struct FindingRow: Sendable {
    public var rule: String
    public var severity: String
    public var title: String
    public var host: String
    public var socket: String?
    public var suppressed: Bool
  }

  public var hosts: [HostRow]
  public var findings: [FindingRow]

  /// The rows of `scan`: its hosts (each with its listeners) and findings.
  public init(_ scan: ScanResult) {
    hosts = scan.hosts.map { host in
      let snapshot = host.snapshot
      let listeners = host.analysedListeners.map { listener in
        ListenerRow(
          proto: listener.proto.rawValue, address: listener.bind, port: listener.port.map(Int.init),
          processes: listener.ownerNames.joined(separator: ", "), user: listener.user, uid: listener.socket.uid.map(Int64.init),
          reach: listener.reach?.reach.rawValue)
      }
      return HostRow(
        name: host.name, address: host.address, port: host.port, status: host.status.rawValue,
        failureCode: host.failure?.code.rawValue, failureMessage: host.failure?.message,
        degraded: snapshot?.provenance.isDegraded ?? false, listeners: listeners)
    }
    findings = scan.findings.map { finding in
      FindingRow(
        rule: finding.ruleID, severity: finding.severity.rawValue, title: finding.title, host: finding.host,
        socket: finding.socket?.text, suppressed: finding.suppressed != nil)
    }
  }

  /// Listener rows across all hosts.
  public var listenerCount: Int { hosts.reduce(0) { $0 + $1.listeners.count } }
}
