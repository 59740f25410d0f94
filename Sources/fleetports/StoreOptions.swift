import ArgumentParser
import FleetPortsCore
import FleetPortsPostgres
import FleetPortsStore
import Foundation

/// `--db FILE|URL`: the scan history every scan is stored in; shared by scan, local, diff,
/// history, prune and report. A file is an SQLite database (the embedded default); a
/// `postgresql://` URL is a PostgreSQL history several controllers share.
struct StoreOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "The scan history: an SQLite file (folder 0700, file 0600; default reports/fleetports.db, or $FLEETPORTS_DB), or a shared PostgreSQL history postgresql://user@host:port/db?sslmode=require (password from PGPASSWORD or ~/.pgpass, never the URL).",
      valueName: "file|url"))
  var db: String?

  /// `--db`, else `FLEETPORTS_DB`, else `reports/fleetports.db`.
  var location: String {
    db ?? ProcessInfo.processInfo.environment["FLEETPORTS_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? ScanStore.defaultPath
  }

  /// Whether the history is a shared PostgreSQL one.
  var isPostgres: Bool { PostgresURL.isURL(location) }

  /// Opens (or creates) the history; a database that cannot be opened or is not private is a
  /// usage error (exit 2), found before any host is contacted.
  func open() throws -> any HistoryStore {
    guard isPostgres else {
      do {
        return try ScanStore(path: location)
      } catch {
        throw ValidationError(error.description)
      }
    }
    let environment = ProcessInfo.processInfo.environment
    let home = FileManager.default.homeDirectoryForCurrentUser.path
    do {
      let url = try PostgresURL(location, environment: environment)
      let (password, warning) = PostgresPassword.lookup(url, environment: environment, home: home)
      if let warning { FileOutput.standardError("fleetports: warning: \(warning)\n") }
      return try PostgresStore(url: url, password: password, home: home)
    } catch let error as PostgresURLError {
      throw ValidationError(error.description)
    } catch let error as StoreError {
      throw ValidationError(error.description)
    }
  }

  /// The history when it already exists (SQLite: the file is there; PostgreSQL: always asked),
  /// else nil; never creates a database.
  func openIfPresent() -> (any HistoryStore)? {
    guard isPostgres || FileManager.default.fileExists(atPath: location) else { return nil }
    return try? open()
  }

  /// A stored scan id given on the command line (`12` or `#12`), or a usage error.
  static func scanID(_ text: String, store: any HistoryStore) throws -> Int64 {
    let digits = text.hasPrefix("#") ? String(text.dropFirst()) : text
    guard let id = Int64(digits), id > 0 else {
      throw ValidationError("\(text) is not a scan id; stored scans: \(try available(store))")
    }
    return id
  }

  /// The stored scans as a usage message lists them: `3 (2026-11-25T09:00:00Z), 4 (…)`, newest last.
  static func available(_ store: any HistoryStore) throws -> String {
    let scans = try store.scans(limit: 20)
    guard !scans.isEmpty else { return "none in \(store.path) (run `fleetports scan` first)" }
    let listed = scans.reversed().map { "\($0.id) (\($0.startedAt))" }.joined(separator: ", ")
    return scans.count == 20 ? "… " + listed + " (`fleetports history` lists all)" : listed
  }

  /// A stored scan's summary, or a usage error naming the scans there are.
  static func summary(_ id: Int64, store: any HistoryStore) throws -> StoredScan {
    do {
      return try store.summary(id: id)
    } catch .unknownScan {
      throw ValidationError("no stored scan \(id) in \(store.path); stored scans: \(try available(store))")
    } catch {
      throw ValidationError(error.description)
    }
  }
}
