import ArgumentParser
import FleetPortsCore
import FleetPortsStore
import Foundation

/// `--db FILE`: the scan history every scan is stored in; shared by scan, local, diff,
/// history, prune and report.
struct StoreOptions: ParsableArguments {
  @Option(help: "The scan history (SQLite; folder 0700, file 0600). Default: reports/fleetports.db.")
  var db: String = ScanStore.defaultPath

  /// Opens (or creates) the history; a database that cannot be opened or is not private is a
  /// usage error (exit 2), found before any host is contacted.
  func open() throws -> ScanStore {
    do {
      return try ScanStore(path: db)
    } catch {
      throw ValidationError(error.description)
    }
  }

  /// A stored scan id given on the command line (`12` or `#12`), or a usage error.
  static func scanID(_ text: String, store: ScanStore) throws -> Int64 {
    let digits = text.hasPrefix("#") ? String(text.dropFirst()) : text
    guard let id = Int64(digits), id > 0 else {
      throw ValidationError("\(text) is not a scan id; stored scans: \(try available(store))")
    }
    return id
  }

  /// The stored scans as a usage message lists them: `3 (2026-11-25T09:00:00Z), 4 (…)`, newest last.
  static func available(_ store: ScanStore) throws -> String {
    let scans = try store.scans(limit: 20)
    guard !scans.isEmpty else { return "none in \(store.path) (run `fleetports scan` first)" }
    let listed = scans.reversed().map { "\($0.id) (\($0.startedAt))" }.joined(separator: ", ")
    return scans.count == 20 ? "… " + listed + " (`fleetports history` lists all)" : listed
  }

  /// A stored scan's summary, or a usage error naming the scans there are.
  static func summary(_ id: Int64, store: ScanStore) throws -> StoredScan {
    do {
      return try store.summary(id: id)
    } catch .unknownScan {
      throw ValidationError("no stored scan \(id) in \(store.path); stored scans: \(try available(store))")
    } catch {
      throw ValidationError(error.description)
    }
  }
}
