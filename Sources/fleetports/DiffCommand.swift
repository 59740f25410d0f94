import ArgumentParser
import FleetPortsCore
import FleetPortsReport
import FleetPortsStore
import Foundation

/// `fleetports diff [OLD [NEW]]`: what changed between two stored scans.
struct DiffCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "Show what changed between two stored scans.",
    discussion: """
      Compares two scans of the history (--db): hosts that appeared, vanished or stopped \
      answering; listeners opened, closed, bound wider or narrower, or owned by another process; \
      findings new or resolved. OLD and NEW are scan ids (`fleetports history` lists them); \
      without them the last two scans are compared; with only OLD, OLD and the newest. \
      --since 7d compares the newest scan with the newest one at least that old (units: s, m, h, d, w).

      --fleet NAME compares a fleet scanned in shards (`scan --shard K/N`): the newest scan of \
      every shard against the one before it of the same shard, as one diff of the whole fleet.

      Exit codes: 0 no changes; 1 changes found (for cron); 2 usage error (an unknown scan id \
      lists the stored ones; fewer than two scans stored).
      """
  )

  /// How the changes are printed.
  enum Format: String, ExpressibleByArgument, CaseIterable {
    case text, md, json
  }

  @Argument(help: "The older scan id (default: the one before NEW).")
  var old: String?

  @Argument(help: "The newer scan id (default: the newest).")
  var new: String?

  @Option(help: "Compare the newest scan with the newest one at least this old: 30m, 12h, 7d, 2w.")
  var since: String?

  @Option(help: "text (default), md or json.")
  var format: Format = .text

  @OptionGroup var database: StoreOptions

  @OptionGroup var fleetView: FleetOptions

  func validate() throws {
    if fleetView.fleet != nil, old != nil || new != nil || since != nil {
      throw ValidationError("--fleet compares each shard's newest scan with the one before: give no scan ids or --since with it")
    }
    if let since {
      guard HistoryDuration.seconds(since) != nil else { throw ValidationError("--since \(since): use a number and a unit, e.g. 30m, 12h, 7d") }
      guard old == nil && new == nil else { throw ValidationError("--since compares the newest scan with an older one: give no scan ids with it") }
    }
  }

  func run() throws {
    let history = try database.open()
    let changes: ScanChanges
    if let fleet = fleetView.fleet {
      let maxAge = fleetView.maxShardAge.flatMap(HistoryDuration.seconds)
      let through = fleetView.through
      let newer = try FleetOptions.view(fleet, rank: 0, throughID: through, maxAgeSeconds: maxAge, history: history, warn: true)
      let older = try FleetOptions.view(fleet, rank: 1, throughID: through, maxAgeSeconds: nil, history: history, warn: false)
      changes = ScanDiff.changes(from: older.scan, to: newer.scan, oldLabel: older.label, newLabel: newer.label)
    } else {
      let (older, newer) = try pick(history)
      do {
        changes = ScanDiff.changes(
          from: try history.scan(id: older.id), to: try history.scan(id: newer.id), oldLabel: older.label, newLabel: newer.label)
      } catch {
        throw ValidationError(error.description)
      }
    }
    switch format {
    case .text: FileOutput.standardOutput(ScanChangesText.terminal(changes))
    case .md: FileOutput.standardOutput(ScanChangesText.markdown(changes))
    case .json:
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      FileOutput.standardOutput(String(decoding: try encoder.encode(changes), as: UTF8.self) + "\n")
    }
    if !changes.isEmpty { throw ExitCode(1) }
  }

  /// The two scans to compare, or a usage error saying which scans there are.
  func pick(_ history: any HistoryStore) throws -> (StoredScan, StoredScan) {
    let recent = try history.scans(limit: 2)
    if let since, let seconds = HistoryDuration.seconds(since) {
      guard let newest = recent.first else { throw ValidationError("no scans stored in \(history.path) yet (run `fleetports scan` first)") }
      guard let older = try history.newest(startedAtOrBefore: newest.startedEpoch - seconds), older.id != newest.id else {
        throw ValidationError("no stored scan started \(since) or more before the newest (#\(newest.id), \(newest.startedAt)); stored scans: \(try StoreOptions.available(history))")
      }
      return (older, newest)
    }
    if let old {
      let oldScan = try StoreOptions.summary(try StoreOptions.scanID(old, store: history), store: history)
      guard let new else {
        guard let newest = recent.first else { throw ValidationError("no scans stored") }
        return (oldScan, newest)
      }
      return (oldScan, try StoreOptions.summary(try StoreOptions.scanID(new, store: history), store: history))
    }
    guard recent.count == 2 else {
      throw ValidationError("diff needs two stored scans; stored scans: \(try StoreOptions.available(history))")
    }
    return (recent[1], recent[0])
  }
}
