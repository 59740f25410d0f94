import ArgumentParser
import FleetPortsCore
import FleetPortsStore
import Foundation

/// `fleetports prune`: retention for the scan history.
struct PruneCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "prune",
    abstract: "Remove old scans from the history.",
    discussion: """
      Removes stored scans (with their hosts, listeners and findings) from --db and prints \
      each one removed. --keep N keeps the newest N; --older-than 30d removes scans started \
      longer ago (units: s, m, h, d, w); with both, a scan goes only when it is beyond the \
      newest N and older. The newest scan is never removed. --vacuum then shrinks the file. \
      Report folders on disk are not touched.

      Exit codes: 0 done (also when nothing was removed); 2 usage error.
      """
  )

  @Option(help: "Keep the newest N scans.")
  var keep: Int?

  @Option(help: "Remove scans older than this: 30m, 12h, 7d, 2w.")
  var olderThan: String?

  @Flag(help: "Give the freed space back to the file system (VACUUM).")
  var vacuum = false

  @OptionGroup var database: StoreOptions

  func validate() throws {
    guard keep != nil || olderThan != nil else { throw ValidationError("say what to remove: --keep N, --older-than DURATION, or both") }
    if let keep, keep < 1 { throw ValidationError("--keep must be at least 1 (the newest scan is always kept)") }
    if let olderThan, HistoryDuration.seconds(olderThan) == nil {
      throw ValidationError("--older-than \(olderThan): use a number and a unit, e.g. 30m, 12h, 7d")
    }
  }

  func run() throws {
    let history = try database.open()
    let rules = PruneRules(keep: keep, olderThanSeconds: olderThan.flatMap(HistoryDuration.seconds))
    let removed: [StoredScan]
    do {
      removed = try history.prune(rules, now: Date().timeIntervalSince1970, vacuum: vacuum)
    } catch {
      FileOutput.standardError("fleetports prune: \(error)\n")
      throw ExitCode(1)
    }
    if removed.isEmpty {
      FileOutput.standardOutput("nothing to remove (\(try history.ids().count) scans stored)\n")
      return
    }
    for scan in removed.sorted(by: { $0.id < $1.id }) {
      FileOutput.standardOutput("removed scan \(scan.id) (\(scan.startedAt), \(scan.hostsOK + scan.hostsFailed + scan.hostsNotScanned) hosts)\n")
    }
    FileOutput.standardOutput("\(removed.count) removed, \(try history.ids().count) kept\n")
  }
}
