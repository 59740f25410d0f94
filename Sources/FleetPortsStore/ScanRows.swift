import FleetPortsCore

/// A scan flattened into the rows the history tables hold (pure: no database here).
struct ScanRows {
  struct HostRow {
    var name: String
    var address: String
    var port: Int
    var status: String
    var failureCode: String?
    var failureMessage: String?
    var degraded: Bool
    var listeners: [ListenerRow]
  }

  struct ListenerRow {
    var proto: String
    var address: String
    var port: Int?
    var processes: String
    var user: String?
    var uid: Int64?
    var reach: String?
  }

  struct FindingRow {
    var rule: String
    var severity: String
    var title: String
    var host: String
    var socket: String?
    var suppressed: Bool
  }

  var hosts: [HostRow]
  var findings: [FindingRow]

  init(_ scan: ScanResult) {
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

  var listenerCount: Int { hosts.reduce(0) { $0 + $1.listeners.count } }
}
