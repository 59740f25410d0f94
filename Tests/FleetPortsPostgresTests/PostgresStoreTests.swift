import Dispatch
import FleetPortsCore
import FleetPortsFiles
import FleetPortsStore
import Foundation
import LabSupport
import Testing

@testable import FleetPortsPostgres

/// The shared history on a real PostgreSQL 15 of the test's own: the same answers as the
/// SQLite store for the same scans, migrations, concurrent writers and TLS.
@Suite(.localPostgres, .serialized) struct PostgresStoreTests {
  static func open(_ server: LocalPostgres, database: String = "fleetports", sslMode: String = "disable", extra: String = "") throws
    -> PostgresStore
  {
    let url = try PostgresURL(server.url(database: database, sslMode: sslMode, extra: extra), environment: [:])
    return try PostgresStore(url: url, password: LocalPostgres.password)
  }

  /// The fixture scan as `inventory`'s shard, started `secondsAgo` before now.
  static func scan(secondsAgo: Double, inventory: String = "inventory/lab.txt", fleet: String? = nil, shard: String? = nil) throws
    -> ScanResult
  {
    var scan = try StoreFixtures.fleet(startedSecondsAgo: secondsAgo, inventory: inventory)
    scan.options.fleet = fleet
    scan.options.shard = shard
    return scan
  }

  @Test func theSameScansGiveTheSameHistoryAsSQLite() throws {
    let server = try LocalPostgres()
    defer { server.stop() }
    let postgres = try Self.open(server)
    let dir = try StoreFixtures.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let sqlite = try ScanStore(path: dir + "/fleetports.db")
    let stores: [any HistoryStore] = [sqlite, postgres]
    var older = try Self.scan(secondsAgo: 7200)
    older.hosts.removeLast()
    let newer = try Self.scan(secondsAgo: 60)
    for store in stores {
      for scan in [older, newer] {
        _ = try store.save(scan) { (previous: ScanStore.Previous?, id: Int64) in
          var amended = scan
          if let previous {
            amended.changesSinceLast = ScanDiff.changes(from: previous.basis, to: scan.diffBasis(), oldLabel: previous.summary.label, newLabel: "#\(id)")
          }
          return amended
        }
      }
    }
    #expect(try postgres.scans(limit: nil) == sqlite.scans(limit: nil))
    #expect(try postgres.scanJSON(id: 2) == sqlite.scanJSON(id: 2))
    #expect(try postgres.scan(id: 2).changesSinceLast != nil)
    #expect(try postgres.hostNames() == sqlite.hostNames())
    for host in try sqlite.hostNames() { #expect(try postgres.history(host: host) == sqlite.history(host: host), "\(host)") }
    #expect(
      try postgres.trend(inventory: "inventory/lab.txt", shard: nil, throughID: nil, limit: 10)
        == sqlite.trend(inventory: "inventory/lab.txt", throughID: nil, limit: 10))
    #expect(
      try postgres.newest(startedAtOrBefore: Date().timeIntervalSince1970 - 3600)
        == sqlite.newest(startedAtOrBefore: Date().timeIntervalSince1970 - 3600))
    #expect(throws: StoreError.unknownScan(id: 9, available: [1, 2])) { try postgres.scan(id: 9) }
    let rules = PruneRules(keep: 1, olderThanSeconds: nil)
    let now = Date().timeIntervalSince1970
    #expect(try postgres.prune(rules, now: now, vacuum: true) == sqlite.prune(rules, now: now, vacuum: false))
    #expect(try postgres.ids() == [2])
    // A pruned id is never handed out again (the identity sequence, like AUTOINCREMENT).
    #expect(try postgres.save(newer, amend: nil).id == 3)
  }

  /// The way `fleetports scan` stores into a shared history: the scan stored, its scan.json
  /// bytes written into the report folder's file; the file and the row hold the same bytes.
  @Test func aScanStoredWithItsFileWritesTheStoredBytes() throws {
    let server = try LocalPostgres()
    defer { server.stop() }
    let postgres = try Self.open(server)
    let dir = try StoreFixtures.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let file = try PrivateFile(creating: dir + "/scan.json")
    let saved = try postgres.save(try Self.scan(secondsAgo: 60), amend: nil, spoolingScanJSONTo: file)
    try file.commit()
    #expect(Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/scan.json"))) == (try postgres.scanJSON(id: saved.id)))
  }

  @Test func shardsOfAFleetAreReadNewestPerShard() throws {
    let server = try LocalPostgres()
    defer { server.stop() }
    let store = try Self.open(server)
    for (ago, shard) in [(300.0, "1/2"), (200, "2/2"), (100, "1/2"), (50, nil as String?)] {
      _ = try store.save(try Self.scan(secondsAgo: ago, fleet: "lab", shard: shard), amend: nil)
    }
    #expect(try store.shardScans(fleet: "lab", rank: 0, throughID: nil).map { [$0.id: $0.shard] } == [[2: "2/2"], [3: "1/2"]])
    #expect(try store.shardScans(fleet: "lab", rank: 1, throughID: nil).map(\.id) == [1])
    // As the fleet stood when scan 2 was stored: shard 1/2's scan 3 had not happened yet.
    #expect(try store.shardScans(fleet: "lab", rank: 0, throughID: 2).map(\.id) == [1, 2])
    #expect(try store.fleets() == ["lab"])
    // A shard's trend is its own scans only; the whole-inventory scan's trend leaves the shards out.
    #expect(try store.trend(inventory: "inventory/lab.txt", shard: "1/2", throughID: nil, limit: 10).points.map(\.scanID) == [1, 3])
    #expect(try store.trend(inventory: "inventory/lab.txt", shard: nil, throughID: nil, limit: 10).points.map(\.scanID) == [4])
  }

  @Test func aNewDatabaseGetsEveryMigrationAndAnOldOneTheMissingOnes() throws {
    let server = try LocalPostgres(databases: ["fresh", "old"])
    defer { server.stop() }
    let fresh = try Self.open(server, database: "fresh")
    #expect(try fresh.appliedMigrations() == PostgresSchema.migrations.map(\.0))
    // A history written by a fleetports that knew only v1 (its statements as released), with one scan in it.
    let v1 = PostgresSchema.migrations[0]
    _ = try server.psql(
      (["CREATE TABLE fleetports_migrations (identifier TEXT PRIMARY KEY, appliedAt TIMESTAMPTZ NOT NULL DEFAULT now())"] + v1.1
        + [
          "INSERT INTO fleetports_migrations (identifier) VALUES ('\(v1.0)')",
          """
          INSERT INTO scan (startedAt, startedEpoch, finishedAt, inventory, options, interrupted, toolVersion, schemaVersion,
                            hostsOK, hostsFailed, hostsNotScanned, listenerCount, scanJSON)
          VALUES ('2026-11-01T00:00:00Z', 1793491200, '2026-11-01T00:00:01Z', 'old.txt', '{}', false, '0.1', 1, 0, 0, 0, 0,
                  convert_to('{"schemaVersion":1,"tool":"fleetports","toolVersion":"0.1","startedAt":"2026-11-01T00:00:00Z","finishedAt":"2026-11-01T00:00:01Z","interrupted":false,"options":{"inventory":"old.txt","method":"auto","sudo":false,"parallel":1,"timeoutSeconds":1,"hostKeyChecking":"strict"},"hosts":[]}', 'UTF8'))
          """,
        ]).joined(separator: ";\n"), database: "old")
    let old = try Self.open(server, database: "old")
    #expect(try old.appliedMigrations().count == PostgresSchema.migrations.count)
    let summary = try old.summary(id: 1)
    #expect(summary.inventory == "old.txt")
    #expect(summary.fleet == nil)
    #expect(try old.scan(id: 1).options.inventory == "old.txt")
    // Opening again applies nothing twice.
    _ = try Self.open(server, database: "old")
    #expect(try server.psql("SELECT COUNT(*) FROM fleetports_migrations", database: "old") == "\(PostgresSchema.migrations.count)\n")
  }

  @Test func severalWritersAtOnceLoseNothingAndInterleaveNothing() throws {
    let server = try LocalPostgres()
    defer { server.stop() }
    let scan = try Self.scan(secondsAgo: 10)
    let writers = 4
    let perWriter = 6
    let box = ResultBox()
    // Each writer its own connection (as each controller has); they migrate a new database at once too.
    DispatchQueue.concurrentPerform(iterations: writers) { _ in
      do {
        let store = try Self.open(server)
        for _ in 0..<perWriter {
          let saved = try store.save(scan) { (previous: ScanStore.Previous?, id: Int64) in
            var amended = scan
            amended.analysisNotes = ["previous \(previous?.summary.id ?? 0)"]
            return amended
          }
          box.add(saved.id)
        }
      } catch {
        box.fail("\(error)")
      }
    }
    #expect(box.errors.isEmpty, "\(box.errors)")
    let store = try Self.open(server)
    let ids = try store.ids()
    #expect(ids.count == writers * perWriter)
    #expect(Set(box.ids) == Set(ids))
    // Every scan whole and its own: its hosts and listeners, none of another's.
    let perScan = try server.psql(
      "SELECT s.id, s.listenerCount, (SELECT COUNT(*) FROM listener l WHERE l.scanId = s.id), (SELECT COUNT(*) FROM host h WHERE h.scanId = s.id) FROM scan s ORDER BY s.id"
    )
    for line in perScan.split(separator: "\n") {
      let fields = line.split(separator: "|")
      #expect(fields[1] == fields[2], "scan \(fields[0]): listeners")
      #expect(Int(fields[3]) == scan.hosts.count, "scan \(fields[0]): hosts")
    }
    let crossed = try server.psql("SELECT COUNT(*) FROM listener l JOIN host h ON h.id = l.hostId WHERE h.scanId <> l.scanId")
    #expect(crossed == "0\n")
    // Each scan saw the one stored just before it as its previous: no two saw the same one.
    var previous: [String] = []
    for id in ids { previous += try store.scan(id: id).analysisNotes }
    #expect(Set(previous).count == ids.count)
    #expect(previous.contains("previous 0"))
  }

  @Test func tlsIsUsedWhenAskedAndTheCertificateIsChecked() throws {
    let server = try LocalPostgres(tls: true)
    defer { server.stop() }
    let required = try Self.open(server, sslMode: "require")
    #expect(try required.usesTLS())
    let verified = try Self.open(server, sslMode: "verify-full", extra: "&sslrootcert=\(server.certificatePath)")
    #expect(try verified.ids() == [])
    #expect(try Self.open(server, sslMode: "verify-ca", extra: "&sslrootcert=\(server.certificatePath)").usesTLS())
    let plain = try Self.open(server, sslMode: "disable")
    #expect(try !plain.usesTLS())
    #expect(try Self.open(server, sslMode: "prefer").usesTLS())
    // verify-full against a CA that did not sign the server's certificate: refused.
    let otherCA = NSTemporaryDirectory() + "fp-other-ca-\(UUID().uuidString.prefix(8)).pem"
    defer { try? FileManager.default.removeItem(atPath: otherCA) }
    let made = try ChildProcess.run(
      [
        "/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
        "/CN=other",
        "-keyout", otherCA + ".key", "-out", otherCA,
      ], timeout: .seconds(60))
    try? FileManager.default.removeItem(atPath: otherCA + ".key")
    #expect(made.status == 0)
    #expect(throws: StoreError.self) { try Self.open(server, sslMode: "verify-full", extra: "&sslrootcert=\(otherCA)") }
  }

  @Test func aWrongPasswordIsACannotOpenNamingTheServersReason() throws {
    let server = try LocalPostgres()
    defer { server.stop() }
    let url = try PostgresURL(server.url(), environment: [:])
    do {
      _ = try PostgresStore(url: url, password: "wrong")
      Issue.record("a wrong password was accepted")
    } catch {
      #expect(error.description.contains("password authentication failed"), "\(error)")
      #expect(!error.description.contains("wrong"))
    }
  }

  /// Ids and errors from all writers.
  final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storedIDs: [Int64] = []
    private var failures: [String] = []

    func add(_ id: Int64) { lock.withLock { storedIDs.append(id) } }
    func fail(_ message: String) { lock.withLock { failures.append(message) } }
    var ids: [Int64] { lock.withLock { storedIDs } }
    var errors: [String] { lock.withLock { failures } }
  }
}
