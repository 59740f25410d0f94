import FleetPortsCore
import FleetPortsStore
import Foundation
import NIOCore
import PostgresNIO

extension PostgresStore {
  /// Stores `scan` in one transaction, as `ScanStore.save` does: the scan row (its id from the
  /// server), then `amend` with the previous scan of the same inventory and shard, then every
  /// host, listener and finding row, then scan.json. Rows go as one JSON array per table
  /// (`jsonb_to_recordset`): three statements for any number of hosts instead of one round trip
  /// per row.
  public func save(
    _ scan: ScanResult, amend: ((_ previous: ScanStore.Previous?, _ id: Int64) throws -> ScanResult)?
  ) throws(StoreError) -> (id: Int64, scan: ScanResult, json: [UInt8]) {
    try transaction("storing the scan") { () throws -> (id: Int64, scan: ScanResult, json: [UInt8]) in
      let options = scan.options
      // Scans of one inventory and shard store one after another, so `previous` stays the newest.
      try run("SELECT pg_advisory_xact_lock(hashtext(\("fleetports scan\u{1F}\(options.inventory)\u{1F}\(options.shard ?? "")")))")
      var previous: ScanStore.Previous?
      if amend != nil,
        let summary = try summaries(
          "WHERE inventory = \(options.inventory) AND \(unescaped: PostgresSchema.shard) IS NOT DISTINCT FROM \(options.shard) ORDER BY id DESC LIMIT 1"
        ).first
      {
        previous = (summary, try diffBasis(id: summary.id))
      }
      let optionsJSON = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
      let startedEpoch = StoreDates.epoch(scan.startedAt)
      guard
        let id = try run(
          """
          INSERT INTO scan (startedAt, startedEpoch, finishedAt, inventory, options, interrupted, toolVersion, schemaVersion,
                            hostsOK, hostsFailed, hostsNotScanned, listenerCount, scanJSON)
          VALUES (\(scan.startedAt), \(startedEpoch), \(scan.finishedAt), \(options.inventory), \(optionsJSON), \(scan.interrupted),
                  \(scan.toolVersion), \(scan.schemaVersion), 0, 0, 0, 0, '\\x'::bytea)
          RETURNING id
          """
        ).first?.decode(Int64.self)
      else { throw StoreError.failed(path: path, operation: "storing the scan", reason: "the server returned no id") }
      let stored = try amend?(previous, id) ?? scan
      let json = try insertChildren(id: id, stored)
      return (id, stored, json)
    }
  }

  /// Every host, listener and finding row of `scan` as scan `id`, then its counts, scan.json
  /// and diff basis. Host ids are taken from the host sequence first, so listener rows can
  /// name their host in the same batch.
  func insertChildren(id: Int64, _ scan: ScanResult) throws -> [UInt8] {
    let rows = ScanRows(scan)
    let hostIDs =
      rows.hosts.isEmpty
      ? []
      : try run("SELECT nextval(pg_get_serial_sequence('host', 'id')) FROM generate_series(1, \(rows.hosts.count))").map {
        try $0.decode(Int64.self)
      }
    var hosts: [[String: Any]] = []
    var listeners: [[String: Any]] = []
    for (host, hostID) in zip(rows.hosts, hostIDs) {
      hosts.append([
        "id": hostID, "name": host.name, "address": host.address, "port": host.port, "status": host.status,
        "failurecode": PostgresStore.nullable(host.failureCode), "failuremessage": PostgresStore.nullable(host.failureMessage),
        "degraded": host.degraded,
      ])
      for listener in host.listeners {
        listeners.append([
          "hostid": hostID, "host": host.name, "proto": listener.proto, "address": listener.address,
          "port": PostgresStore.nullable(listener.port),
          "processes": listener.processes, "user": PostgresStore.nullable(listener.user), "uid": PostgresStore.nullable(listener.uid),
          "reach": PostgresStore.nullable(listener.reach),
        ])
      }
    }
    let findings: [[String: Any]] = rows.findings.map { finding in
      [
        "rule": finding.rule, "severity": finding.severity, "title": finding.title, "host": finding.host,
        "socket": PostgresStore.nullable(finding.socket), "suppressed": finding.suppressed,
      ]
    }
    if !hosts.isEmpty {
      try run(
        """
        INSERT INTO host (id, scanId, name, address, port, status, failureCode, failureMessage, degraded)
        SELECT id, \(id), name, address, port, status, failurecode, failuremessage, degraded
        FROM jsonb_to_recordset(\(try PostgresStore.jsonText(hosts))::jsonb)
          AS r(id BIGINT, name TEXT, address TEXT, port BIGINT, status TEXT, failurecode TEXT, failuremessage TEXT, degraded BOOLEAN)
        """)
    }
    if !listeners.isEmpty {
      try run(
        """
        INSERT INTO listener (scanId, hostId, host, proto, address, port, processes, "user", uid, reach)
        SELECT \(id), hostid, host, proto, address, port, processes, "user", uid, reach
        FROM jsonb_to_recordset(\(try PostgresStore.jsonText(listeners))::jsonb)
          AS r(hostid BIGINT, host TEXT, proto TEXT, address TEXT, port BIGINT, processes TEXT, "user" TEXT, uid BIGINT, reach TEXT)
        """)
    }
    if !findings.isEmpty {
      try run(
        """
        INSERT INTO finding (scanId, rule, severity, title, host, socket, suppressed)
        SELECT \(id), rule, severity, title, host, socket, suppressed
        FROM jsonb_to_recordset(\(try PostgresStore.jsonText(findings))::jsonb)
          AS r(rule TEXT, severity TEXT, title TEXT, host TEXT, socket TEXT, suppressed BOOLEAN)
        """)
    }
    let count = { (status: HostResult.Status) in scan.hosts.filter { $0.status == status }.count }
    let json = try ScanJSON.encode(scan)
    let basis = try ScanJSON.encode(DiffBasis(scan))
    try run(
      """
      UPDATE scan SET hostsOK = \(count(.ok)), hostsFailed = \(count(.failed)), hostsNotScanned = \(count(.notScanned)),
                      listenerCount = \(rows.listenerCount), scanJSON = \(ByteBuffer(bytes: json)), diffJSON = \(ByteBuffer(bytes: basis))
      WHERE id = \(id)
      """)
    return json
  }

  /// A row value for JSONSerialization: the value, or NSNull for SQL NULL.
  static func nullable<Value>(_ value: Value?) -> Any {
    guard let value else { return NSNull() }
    return value
  }

  /// Rows as a JSON array's text (JSONSerialization: strings escaped, NSNull as null).
  static func jsonText(_ rows: [[String: Any]]) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: rows), as: UTF8.self)
  }
}
