import FleetPortsCore
import FleetPortsFiles
import Foundation
import GRDB
import GRDBSQLite

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
  /// finding row. Returns the scan.json bytes, or nothing when `spool` took them: scan.json is
  /// then encoded into that file a MiB at a time and copied into the row from it, so a
  /// 1,000-host scan's 60 MB are never whole in memory. A spool whose disk refuses the bytes is
  /// abandoned and the row made from memory instead: the history never depends on the reports'
  /// disk.
  static func insertChildren(
    _ db: Database, id: Int64, _ scan: ScanResult, afterRow: ((String) throws -> Void)?, spool: PrivateFile? = nil
  ) throws -> [UInt8] {
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
    var json: [UInt8] = []
    var jsonSize = 0
    var spooled = false
    if let spool {
      do {
        jsonSize = try ScanJSON.encode(scan) { chunk in try spool.append(chunk) }
        spooled = true
      } catch is PrivateFile.Failure {
        // The reports' disk refused scan.json (full, an I/O error; `append` abandoned the
        // file): the history does not depend on it. The row is made from bytes in memory,
        // and the caller, whose `commit` now fails, writes scan.json another way.
      }
    }
    if !spooled {
      json = try ScanJSON.encode(scan)
      jsonSize = json.count
    }
    let basis = try ScanJSON.encode(DiffBasis(scan))
    // scan.json is ≈ 60 KB per host: bound as a value, SQLite would copy it while binding and
    // again while building the row. The row gets zero blobs of the right sizes instead, and the
    // bytes are written into them in place.
    try db.execute(
      sql: """
        UPDATE scan SET hostsOK = ?, hostsFailed = ?, hostsNotScanned = ?, listenerCount = ?, scanJSON = zeroblob(?), diffJSON = zeroblob(?)
        WHERE id = ?
        """,
      arguments: [count(.ok), count(.failed), count(.notScanned), rows.listenerCount, jsonSize, basis.count, id])
    if let spool, spooled {
      try copyBlob(db, column: "scanJSON", row: id, from: spool)
    } else {
      try writeBlob(db, column: "scanJSON", row: id, json)
    }
    try writeBlob(db, column: "diffJSON", row: id, basis)
    return json
  }

  /// Copies what `file` holds over the zero blob of the same size in `scan.column` of `row`,
  /// a piece of `ScanJSON.chunkSize` at a time (the file's pages are in the page cache).
  /// - Throws: `DatabaseError` with SQLite's code and message, or the file's `PrivateFile.Failure`.
  static func copyBlob(_ db: Database, column: String, row: Int64, from file: PrivateFile) throws {
    guard file.size > 0 else { return }
    var blob: OpaquePointer?
    var rc = sqlite3_blob_open(db.sqliteConnection, "main", "scan", column, row, 1, &blob)
    defer { if let blob { sqlite3_blob_close(blob) } }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: ScanJSON.chunkSize, alignment: 16)
    defer { buffer.deallocate() }
    var offset = 0
    while rc == SQLITE_OK && offset < file.size {
      let length = try file.read(
        at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(min(buffer.count, file.size - offset))))
      guard length > 0 else { throw PrivateFile.Failure(path: file.path, reason: "shorter than what was written to it") }
      rc = sqlite3_blob_write(blob, buffer.baseAddress, Int32(length), Int32(offset))
      offset += length
    }
    guard rc == SQLITE_OK else {
      throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
    }
  }

  /// Writes `bytes` over the zero blob of the same size in `scan.column` of `row`, 1 MiB at a time.
  /// - Throws: `DatabaseError` with SQLite's code and message.
  static func writeBlob(_ db: Database, column: String, row: Int64, _ bytes: [UInt8]) throws {
    guard !bytes.isEmpty else { return }
    var blob: OpaquePointer?
    var rc = sqlite3_blob_open(db.sqliteConnection, "main", "scan", column, row, 1, &blob)
    defer { if let blob { sqlite3_blob_close(blob) } }
    var offset = 0
    while rc == SQLITE_OK && offset < bytes.count {
      let length = min(1 << 20, bytes.count - offset)
      rc = bytes.withUnsafeBytes { buffer in
        sqlite3_blob_write(blob, buffer.baseAddress.map { $0 + offset }, Int32(length), Int32(offset))
      }
      offset += length
    }
    guard rc == SQLITE_OK else {
      throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
    }
  }
}
