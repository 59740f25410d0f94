import FleetPortsCore
import Foundation
import GRDB

/// The INSERTs of one scan; always called inside `ScanStore.write`'s transaction.
enum ScanWriter {
  /// The scan row, with its scan.json filled in by `insertChildren` once the scan is final.
  static func insertScanRow(_ db: Database, _ scan: ScanResult) throws -> Int64 {
    let options = String(decoding: try JSONEncoder().encode(scan.options), as: UTF8.self)
    try db.execute(
      sql: """
        INSERT INTO scan (startedAt, startedEpoch, finishedAt, inventory, options, interrupted, toolVersion, schemaVersion,
                          hostsOK, hostsFailed, hostsNotScanned, listenerCount, scanJSON)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, x'')
        """,
      arguments: [
        scan.startedAt, StoreDates.epoch(scan.startedAt), scan.finishedAt, scan.options.inventory, options, scan.interrupted,
        scan.toolVersion, scan.schemaVersion,
      ])
    return db.lastInsertedRowID
  }

  /// scan.json (byte for byte what ScanJSON writes), the counts, and every host, listener and
  /// finding row. Returns the scan.json bytes.
  static func insertChildren(_ db: Database, id: Int64, _ scan: ScanResult, afterRow: ((String) throws -> Void)?) throws -> [UInt8] {
    let rows = ScanRows(scan)
    for host in rows.hosts {
      try db.execute(
        sql: """
          INSERT INTO host (scanId, name, address, port, status, failureCode, failureMessage, degraded)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [id, host.name, host.address, host.port, host.status, host.failureCode, host.failureMessage, host.degraded])
      let hostID = db.lastInsertedRowID
      try afterRow?("host")
      let statement = try db.cachedStatement(
        sql: """
          INSERT INTO listener (scanId, hostId, host, proto, address, port, processes, user, uid, reach)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      for listener in host.listeners {
        try statement.execute(arguments: [
          id, hostID, host.name, listener.proto, listener.address, listener.port, listener.processes, listener.user, listener.uid,
          listener.reach,
        ])
        try afterRow?("listener")
      }
    }
    let statement = try db.cachedStatement(
      sql: "INSERT INTO finding (scanId, rule, severity, title, host, socket, suppressed) VALUES (?, ?, ?, ?, ?, ?, ?)")
    for finding in rows.findings {
      try statement.execute(arguments: [
        id, finding.rule, finding.severity, finding.title, finding.host, finding.socket, finding.suppressed,
      ])
      try afterRow?("finding")
    }
    let count = { (status: HostResult.Status) in scan.hosts.filter { $0.status == status }.count }
    let json = try ScanJSON.encode(scan)
    let basis = try ScanJSON.encode(scan.diffBasis())
    try db.execute(
      sql: "UPDATE scan SET hostsOK = ?, hostsFailed = ?, hostsNotScanned = ?, listenerCount = ?, scanJSON = ?, diffJSON = ? WHERE id = ?",
      arguments: [count(.ok), count(.failed), count(.notScanned), rows.listenerCount, Data(json), Data(basis), id])
    return json
  }
}
