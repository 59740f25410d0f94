import FleetPortsCore
import FleetPortsFiles
import FleetPortsReport
import Foundation
import GRDB
import LabSupport
import Testing

@testable import FleetPortsStore

/// The database: schema, files, round trip, one transaction per scan.
@Suite struct ScanStoreTests {
  @Test func migratesAFreshDatabaseInWALModeWithPrivateFiles() throws {
    let dir = try StoreFixtures.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/history/fleetports.db"
    let store = try ScanStore(path: path)
    let (mode, tables, migrations) = try store.read("test") { db in
      (
        try String.fetchOne(db, sql: "PRAGMA journal_mode"),
        try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"),
        try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
      )
    }
    #expect(mode == "wal")
    #expect(tables == ["finding", "grdb_migrations", "host", "listener", "scan"])
    #expect(migrations == ["v1: scan, host, listener, finding", "v2: scan.diffJSON"])
    let fileMode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    let folderMode = try FileManager.default.attributesOfItem(atPath: dir + "/history")[.posixPermissions] as? Int
    #expect(fileMode == 0o600)
    #expect(folderMode == 0o700)
    try store.save(StoreFixtures.fleet())
    for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
      #expect(try FileManager.default.attributesOfItem(atPath: path + suffix)[.posixPermissions] as? Int == 0o600)
    }
    // Opening again applies nothing twice and keeps what is there.
    let again = try ScanStore(path: path)
    #expect(try again.ids() == [1])
  }

  @Test func refusesAFolderOthersCanWriteTo() throws {
    let dir = try StoreFixtures.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir + "/open", withIntermediateDirectories: false)
    chmod(dir + "/open", 0o777)
    #expect(throws: StoreError.self) { try ScanStore(path: dir + "/open/fleetports.db") }
  }

  @Test func storesAScanWholeAndGivesItBackByteForByte() throws {
    let dir = try StoreFixtures.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try ScanStore(path: dir + "/fleetports.db")
    let scan = try StoreFixtures.fleet()
    let (id, stored, json) = try store.save(scan)
    #expect(json == (try ScanJSON.encode(stored)), "the bytes stored are the bytes scan.json gets")
    #expect(stored == scan)
    #expect(try store.scanJSON(id: id) == ScanJSON.encode(scan))
    #expect(try store.scan(id: id) == scan)
    let summary = try store.summary(id: id)
    #expect(summary.hostsOK == 4 && summary.hostsFailed == 1 && summary.hostsNotScanned == 1)
    let listeners = scan.hosts.compactMap(\.snapshot).reduce(0) { $0 + $1.listeners.count }
    #expect(summary.listeners == listeners)
    var bySeverity: [Severity: Int] = [:]
    for finding in scan.findings where finding.suppressed == nil { bySeverity[finding.severity, default: 0] += 1 }
    #expect(summary.findings == bySeverity)
    let counts = try store.read("test") { db in
      try ["host", "listener", "finding"].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0) WHERE scanId = ?", arguments: [id]) }
    }
    #expect(counts == [scan.hosts.count, listeners, scan.findings.count])
    #expect(throws: StoreError.unknownScan(id: 7, available: [1])) { try store.scan(id: 7) }
  }

  /// The way `fleetports scan` stores: scan.json encoded into its file a piece at a time, the
  /// row copied from the file, the file put in place by the caller; both hold the same bytes.
  @Test func aScanSpooledThroughItsFileIsStoredByteForByte() throws {
    let dir = try StoreFixtures.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try ScanStore(path: dir + "/fleetports.db")
    let first = try StoreFixtures.fleet(startedSecondsAgo: 60)
    try store.save(first)
    let file = try PrivateFile(creating: dir + "/scan.json")
    let saved = try store.save(
      try StoreFixtures.fleet(),
      amend: { previous, id in
        var amended = try StoreFixtures.fleet()
        amended.analysisNotes.append("amended after #\(previous?.summary.id ?? 0), stored as #\(id)")
        return amended
      }, spoolingScanJSONTo: file)
    try file.commit()
    #expect(saved.scan.analysisNotes.last == "amended after #1, stored as #2")
    let written = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/scan.json")))
    #expect(written == (try ScanJSON.encode(saved.scan)))
    #expect(try store.scanJSON(id: saved.id) == written)
    #expect(try store.scan(id: saved.id) == saved.scan)
    var info = stat()
    #expect(stat(dir + "/scan.json", &info) == 0 && info.st_mode & 0o777 == 0o600)
    #expect(!FileManager.default.fileExists(atPath: dir + "/scan.json.tmp"))
  }

  /// A reports folder whose disk is full (a 64 KiB tmpfs: scan.json does not fit) costs
  /// scan.json's file, never the history: the row is made from the bytes in memory, the file
  /// is gone, and `commit` fails so the caller writes scan.json another way.
  @Test(.enabled(if: geteuid() == 0, "needs root to mount a small tmpfs"))
  func aReportsDiskThatFillsUpStillStoresTheScan() throws {
    let dir = try StoreFixtures.scratch()
    let reports = dir + "/reports"
    try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: false)
    #expect(mount("tmpfs", reports, "tmpfs", 0, "size=64k,mode=0700") == 0, "mount: \(String(cString: strerror(errno)))")
    defer {
      umount(reports)
      try? FileManager.default.removeItem(atPath: dir)
    }
    let store = try ScanStore(path: dir + "/fleetports.db")
    let file = try PrivateFile(creating: reports + "/scan.json")
    let saved = try store.save(try StoreFixtures.fleet(), amend: nil, spoolingScanJSONTo: file)
    let json = try ScanJSON.encode(saved.scan)
    #expect(json.count > 64 << 10, "scan.json must not fit the tmpfs for this test to mean anything")
    #expect(try store.scanJSON(id: saved.id) == json)
    #expect(throws: PrivateFile.Failure.self) { try file.commit() }
    #expect(try FileManager.default.contentsOfDirectory(atPath: reports).isEmpty)
  }

  @Test func aFailureHalfwayLeavesNothingOfTheScan() throws {
    let dir = try StoreFixtures.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try ScanStore(path: dir + "/fleetports.db")
    try store.save(StoreFixtures.fleet())
    struct Crash: Error {}
    var rows = 0
    #expect(throws: StoreError.self) {
      try store.save(try StoreFixtures.fleet(), amend: nil) { table in
        rows += 1
        if table == "listener" && rows > 20 { throw Crash() }
      }
    }
    #expect(rows > 20, "the failure came after host and listener rows were written")
    let counts = try store.read("test") { db in
      try ["scan", "host", "listener", "finding"].map {
        try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT \($0 == "scan" ? "id" : "scanId")) FROM \($0)")
      }
    }
    #expect(counts == [1, 1, 1, 1], "only the first scan's rows remain")
    #expect(try store.ids() == [1])
    // The next scan stores normally, and ids are never reused.
    #expect(try store.save(StoreFixtures.fleet()).id >= 2)
  }

  @Test func amendSeesThePreviousScanOfTheSameInventoryAndTheNewID() throws {
    let dir = try StoreFixtures.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try ScanStore(path: dir + "/fleetports.db")
    var seen: [(Int64?, Int64)] = []
    let first = try StoreFixtures.fleet(startedSecondsAgo: 60)
    try store.save(first) { previous, id in
      seen.append((previous?.summary.id, id))
      return first
    }
    try store.save(StoreFixtures.fleet(startedSecondsAgo: 50, inventory: "(local)"))
    var second = try StoreFixtures.fleet(startedSecondsAgo: 40)
    second.hosts.removeLast()
    let saved = try store.save(second) { previous, id in
      seen.append((previous?.summary.id, id))
      var amended = second
      if let previous {
        amended.changesSinceLast = ScanDiff.changes(
          from: previous.basis, to: second.diffBasis(), oldLabel: previous.summary.label, newLabel: "#\(id)")
      }
      return amended
    }
    #expect(seen.map(\.0) == [nil, 1])
    #expect(seen.map(\.1) == [1, 3])
    let changes = try #require(saved.scan.changesSinceLast)
    #expect(changes.hosts == [HostChange(kind: .vanished, host: "lab-late")])
    #expect(try store.scan(id: 3).changesSinceLast == changes, "the changes are part of the stored scan.json")
  }

  @Test func amendGetsTheDiffBasisOrTheWholeScanWhenNoneWasStored() throws {
    let dir = try StoreFixtures.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try ScanStore(path: dir + "/fleetports.db")
    let first = try StoreFixtures.fleet(startedSecondsAgo: 60)
    try store.save(first)
    var handed: DiffBasis?
    try store.save(try StoreFixtures.fleet(startedSecondsAgo: 50)) { previous, _ in
      handed = previous?.basis
      return try StoreFixtures.fleet(startedSecondsAgo: 50)
    }
    let firstAsStored = try store.scan(id: 1)
    #expect(handed == firstAsStored.diffBasis())
    #expect(handed?.hosts.contains { !$0.slots.isEmpty } == true)

    // A scan stored before the diff basis existed (NULL): the basis of the whole scan.
    try DatabaseQueue(path: dir + "/fleetports.db").write { db in try db.execute(sql: "UPDATE scan SET diffJSON = NULL WHERE id = 2") }
    try store.save(try StoreFixtures.fleet(startedSecondsAgo: 40)) { previous, _ in
      handed = previous?.basis
      return try StoreFixtures.fleet(startedSecondsAgo: 40)
    }
    #expect(handed == (try store.scan(id: 2)).diffBasis())

    // A basis of version 1 (the scan cut down, as histories before DiffBasis stored it): read
    // as that scan's basis.
    let legacy = try ScanJSON.encode(try store.scan(id: 3).legacyDiffBasis())
    try DatabaseQueue(path: dir + "/fleetports.db").write { db in
      try db.execute(sql: "UPDATE scan SET diffJSON = ? WHERE id = 3", arguments: [Data(legacy)])
    }
    try store.save(try StoreFixtures.fleet(startedSecondsAgo: 30)) { previous, _ in
      handed = previous?.basis
      return try StoreFixtures.fleet(startedSecondsAgo: 30)
    }
    #expect(handed == (try store.scan(id: 3)).diffBasis())
    #expect(legacy.count > 2 * (try ScanJSON.encode(try #require(handed))).count)
  }
}
