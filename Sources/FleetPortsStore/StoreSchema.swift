import GRDB

/// The history's tables, as versioned migrations: a migration once released is never edited,
/// a change is a new one appended here. GRDB records applied ones in `grdb_migrations`.
enum StoreSchema {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1: scan, host, listener, finding") { db in
      // AUTOINCREMENT: ids of pruned scans are never handed out again, so `#12` stays one scan.
      try db.create(table: "scan") { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("startedAt", .text).notNull()
        // Seconds since 1970 of startedAt: what --since and --older-than compare.
        t.column("startedEpoch", .double).notNull()
        t.column("finishedAt", .text).notNull()
        t.column("inventory", .text).notNull()
        // ScanOptions as JSON.
        t.column("options", .text).notNull()
        t.column("interrupted", .boolean).notNull()
        t.column("toolVersion", .text).notNull()
        t.column("schemaVersion", .integer).notNull()
        t.column("hostsOK", .integer).notNull()
        t.column("hostsFailed", .integer).notNull()
        t.column("hostsNotScanned", .integer).notNull()
        t.column("listenerCount", .integer).notNull()
        // The whole scan.json, byte for byte as written: any scan can be re-rendered exactly.
        t.column("scanJSON", .blob).notNull()
      }
      try db.create(index: "scan_startedEpoch", on: "scan", columns: ["startedEpoch"])
      try db.create(table: "host") { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("scanId", .integer).notNull().references("scan", onDelete: .cascade)
        t.column("name", .text).notNull()
        t.column("address", .text).notNull()
        t.column("port", .integer).notNull()
        t.column("status", .text).notNull()
        t.column("failureCode", .text)
        t.column("failureMessage", .text)
        t.column("degraded", .boolean).notNull()
      }
      try db.create(index: "host_scan", on: "host", columns: ["scanId"])
      try db.create(index: "host_name_scan", on: "host", columns: ["name", "scanId"])
      try db.create(table: "listener") { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("scanId", .integer).notNull().references("scan", onDelete: .cascade)
        t.column("hostId", .integer).notNull().references("host", onDelete: .cascade)
        // The host's name again, so a host's history is one indexed lookup.
        t.column("host", .text).notNull()
        t.column("proto", .text).notNull()
        // Bind address, or a Unix socket's path (`@name` when abstract).
        t.column("address", .text).notNull()
        t.column("port", .integer)
        // Owner process names, sorted, joined with ", ".
        t.column("processes", .text).notNull()
        t.column("user", .text)
        t.column("uid", .integer)
        t.column("reach", .text)
      }
      try db.create(index: "listener_scan", on: "listener", columns: ["scanId"])
      try db.create(index: "listener_hostId", on: "listener", columns: ["hostId"])
      try db.create(index: "listener_host_slot", on: "listener", columns: ["host", "proto", "port", "address", "scanId"])
      try db.create(table: "finding") { t in
        t.autoIncrementedPrimaryKey("id")
        t.column("scanId", .integer).notNull().references("scan", onDelete: .cascade)
        t.column("rule", .text).notNull()
        t.column("severity", .text).notNull()
        t.column("title", .text).notNull()
        t.column("host", .text).notNull()
        // `tcp 0.0.0.0:5432`, a Unix path, or NULL for host-wide findings.
        t.column("socket", .text)
        t.column("suppressed", .boolean).notNull()
      }
      try db.create(index: "finding_scan", on: "finding", columns: ["scanId", "suppressed", "severity"])
      try db.create(index: "finding_host_rule", on: "finding", columns: ["host", "rule", "scanId"])
    }
    migrator.registerMigration("v2: scan.diffJSON") { db in
      // DiffBasis as JSON (version 1: the scan cut down): what the next scan's diff reads, a fraction of scanJSON.
      // NULL for scans stored before: their diff reads scanJSON.
      try db.alter(table: "scan") { t in t.add(column: "diffJSON", .blob) }
    }
    return migrator
  }
}
