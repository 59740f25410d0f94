import FleetPortsCore
import FleetPortsStore
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// The scan history in a PostgreSQL database that several controllers share
/// (`--db postgresql://user@host:port/db`): the same tables, migrations and reads as the SQLite
/// `ScanStore`, one connection per process.
///
///     let store = try PostgresStore(url: url, password: nil)
///     let (id, _, _) = try store.save(scan, amend: nil)
///
/// Guarantees: each scan is stored in one transaction (a crash leaves all of it or none); ids
/// come from the server's sequences, so writers never collide and a pruned id is never reused;
/// `save` holds a transaction-scoped advisory lock on the scan's inventory and shard, so the
/// previous scan its `amend` diffs against cannot change underneath it, while scans of other
/// shards store in parallel. Calls block the calling thread until the server answers (the
/// commands are synchronous; the connection's I/O runs on SwiftNIO's event loop).
public final class PostgresStore: HistoryStore, @unchecked Sendable {
  /// The URL as messages show it (no password).
  public let path: String
  let connection: PostgresConnection
  let logger: Logger
  /// One transaction at a time on the one connection (`@unchecked Sendable` rests on this).
  let lock = NSLock()

  /// Connects (TLS as `url.sslMode` says), then applies pending migrations under an advisory
  /// lock, so controllers starting at once migrate one after another.
  /// - Throws: `StoreError.cannotOpen` naming the URL and the server's or the network's reason.
  public init(url: PostgresURL, password: String?, home: String = NSHomeDirectory()) throws(StoreError) {
    path = url.description
    var logger = Logger(label: "fleetports.postgres")
    logger.logLevel = .critical
    self.logger = logger
    let tls: PostgresConnection.Configuration.TLS
    do {
      tls = try PostgresTLS.configuration(url, home: home)
    } catch {
      throw .cannotOpen(path: path, reason: error.message)
    }
    var configuration = PostgresConnection.Configuration(
      host: url.host, port: url.port, username: url.user, password: password, database: url.database, tls: tls)
    // verify-full checks the certificate names the host: postgres-nio passes a host name to NIOSSL
    // (SNI and verification); for an IP address NIOSSL checks the peer's address instead.
    configuration.options.connectTimeout = .seconds(10)
    do {
      connection = try PostgresConnection.connect(
        on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger
      ).wait()
    } catch {
      throw .cannotOpen(path: url.description, reason: PostgresStore.reason(error))
    }
    do {
      try migrate()
    } catch {
      try? connection.close().wait()
      throw .cannotOpen(path: path, reason: "its tables could not be set up: \(error)")
    }
  }

  deinit {
    try? connection.close().wait()
  }

  /// The migrations `PostgresSchema` lists that this database has not had yet, in one
  /// transaction (DDL is transactional in PostgreSQL): all of them or none.
  func migrate() throws(StoreError) {
    try transaction("setting up the tables") { () throws -> Void in
      // One constant key for every fleetports history: concurrent first starts wait here.
      try run("SELECT pg_advisory_xact_lock(7201202611300001)")
      try run(
        "CREATE TABLE IF NOT EXISTS fleetports_migrations (identifier TEXT PRIMARY KEY, appliedAt TIMESTAMPTZ NOT NULL DEFAULT now())")
      let applied = Set(try run("SELECT identifier FROM fleetports_migrations").map { try $0.decode(String.self) })
      for (identifier, statements) in PostgresSchema.migrations where !applied.contains(identifier) {
        for statement in statements { try run(PostgresQuery(unsafeSQL: statement)) }
        try run("INSERT INTO fleetports_migrations (identifier) VALUES (\(identifier))")
      }
    }
  }

  /// The identifiers of the migrations applied, in the order they were applied.
  public func appliedMigrations() throws(StoreError) -> [String] {
    try locked("reading the migrations") {
      try run("SELECT identifier FROM fleetports_migrations ORDER BY appliedAt, identifier").map { try $0.decode(String.self) }
    }
  }

  /// Whether this connection is encrypted, as the server sees it (`pg_stat_ssl`).
  func usesTLS() throws(StoreError) -> Bool {
    try locked("reading the connection's TLS state") {
      try run("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first?.decode(Bool.self) ?? false
    }
  }

  // MARK: Running queries

  /// Runs one statement and collects its rows.
  @discardableResult
  func run(_ query: PostgresQuery) throws -> [PostgresRow] {
    try connection.query(query, logger: logger).wait().rows
  }

  /// `body` between BEGIN and COMMIT (ROLLBACK when it throws), one caller at a time.
  func transaction<T>(_ operation: String, _ body: () throws -> T) throws(StoreError) -> T {
    try locked(operation) {
      try run("BEGIN")
      do {
        let result = try body()
        try run("COMMIT")
        return result
      } catch {
        _ = try? run("ROLLBACK")
        throw error
      }
    }
  }

  /// `body` alone on the connection, its errors as `StoreError.failed`.
  func locked<T>(_ operation: String, _ body: () throws -> T) throws(StoreError) -> T {
    lock.lock()
    defer { lock.unlock() }
    do {
      return try body()
    } catch let error as StoreError {
      throw error
    } catch {
      throw .failed(path: path, operation: operation, reason: PostgresStore.reason(error))
    }
  }

  /// The server's message (with its SQLSTATE) or the connection's, never the query's binds.
  static func reason(_ error: any Error) -> String {
    guard let error = error as? PSQLError else { return "\(error)" }
    if let info = error.serverInfo, let message = info[.message] {
      return "\(message)" + (info[.sqlState].map { " (SQLSTATE \($0))" } ?? "") + (info[.detail].map { ": \($0)" } ?? "")
    }
    if let underlying = error.underlying { return "\(error.code): \(underlying)" }
    return "\(error.code)"
  }
}
