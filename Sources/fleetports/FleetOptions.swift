import ArgumentParser
import FleetPortsCore
import FleetPortsReport
import FleetPortsStore
import Foundation

/// `--fleet NAME` and `--max-shard-age`: one view of a fleet scanned in shards (`scan --shard`),
/// for `report` and `diff`.
struct FleetOptions: ParsableArguments {
  @Option(help: "Merge the newest scan of every shard of this fleet (`scan --shard`/`--fleet`) into one view.")
  var fleet: String?

  @Option(help: "With --fleet: call a shard stale when its newest scan started longer ago than this: 30m, 12h, 7d.")
  var maxShardAge: String?

  @Option(
    help: ArgumentHelp(
      "With --fleet: the fleet as it stood when scan ID was stored (each shard's newest scan up to that id), e.g. the last scan of one run.",
      valueName: "id"))
  var through: Int64?

  func validate() throws {
    if let through {
      guard fleet != nil else { throw ValidationError("--through goes with --fleet") }
      guard through > 0 else { throw ValidationError("--through \(through): a stored scan id (`fleetports history` lists them)") }
    }
    if let maxShardAge {
      guard fleet != nil else { throw ValidationError("--max-shard-age goes with --fleet") }
      guard HistoryDuration.seconds(maxShardAge) != nil else {
        throw ValidationError("--max-shard-age \(maxShardAge): use a number and a unit, e.g. 30m, 12h, 7d")
      }
    }
  }

  /// The fleet put together from each shard's scan `rank` places from its newest (0: newest;
  /// 1: the one before, the newest where a shard has only one), with its warnings printed on
  /// standard error. Usage errors name the fleets there are.
  static func view(
    _ fleet: String, rank: Int, throughID: Int64?, maxAgeSeconds: Double?, history: any HistoryStore, warn: Bool
  ) throws -> (
    scan: ScanResult, label: String
  ) {
    let newest = try history.shardScans(fleet: fleet, rank: 0, throughID: throughID)
    guard !newest.isEmpty else {
      let fleets = try history.fleets()
      throw ValidationError(
        "no sharded scans of fleet \(fleet)\(throughID.map { " up to scan \($0)" } ?? "") in \(history.path); fleets with shards: \(fleets.isEmpty ? "none (run `fleetports scan --shard K/N`)" : fleets.joined(separator: ", "))"
      )
    }
    var chosen = newest
    if rank > 0 {
      let older = Dictionary(
        try history.shardScans(fleet: fleet, rank: rank, throughID: throughID).map { ($0.shard ?? "", $0) }, uniquingKeysWith: { a, _ in a }
      )
      guard !older.isEmpty else {
        throw ValidationError("diff --fleet \(fleet) needs two stored scans of at least one shard; each shard has one")
      }
      chosen = newest.map { older[$0.shard ?? ""] ?? $0 }
    }
    var shards: [FleetMerge.ShardScan] = []
    for summary in chosen {
      do {
        shards.append((summary, try history.scan(id: summary.id)))
      } catch {
        throw ValidationError(error.description)
      }
    }
    guard let merged = FleetMerge.merge(fleet: fleet, shards: shards, now: Date().timeIntervalSince1970, maxAgeSeconds: maxAgeSeconds)
    else { throw ValidationError("fleet \(fleet): nothing to merge") }
    if warn { for warning in merged.fleetView?.warnings ?? [] { FileOutput.standardError("fleetports: fleet \(fleet): \(warning)\n") } }
    let ids = chosen.map { "#\($0.id)" }.joined(separator: ", ")
    return (merged, "fleet \(fleet) (\(ids))")
  }
}
