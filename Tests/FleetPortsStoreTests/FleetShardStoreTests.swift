import FleetPortsCore
import Foundation
import LabSupport
import Testing

@testable import FleetPortsStore

/// Fleets and shards (read from the stored options) in the SQLite history.
@Suite struct FleetShardStoreTests {
  @Test func eachShardsNewestAndPreviousScanAreFoundAndAShardDiffsOnlyAgainstItself() throws {
    let dir = try StoreFixtures.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try ScanStore(path: dir + "/fleetports.db")
    var previousOf: [Int64: Int64?] = [:]
    for (ago, shard) in [(300.0, "1/2"), (200, "2/2"), (100, "1/2"), (50, nil as String?)] {
      var scan = try StoreFixtures.fleet(startedSecondsAgo: ago)
      scan.options.fleet = "lab"
      scan.options.shard = shard
      let saved = try store.save(scan) { previous, id in
        previousOf[id] = .some(previous?.summary.id)
        return scan
      }
      #expect(try store.summary(id: saved.id).shard == shard)
    }
    #expect(try store.shardScans(fleet: "lab", rank: 0).map(\.id) == [2, 3])
    #expect(try store.shardScans(fleet: "lab", rank: 1).map(\.id) == [1])
    #expect(try store.shardScans(fleet: "other", rank: 0).isEmpty)
    #expect(try store.shardScans(fleet: "lab", rank: 0, throughID: 2).map(\.id) == [1, 2])
    #expect(try store.fleets() == ["lab"])
    #expect(try store.trend(inventory: "inventory/lab.txt", shard: "1/2").points.map(\.scanID) == [1, 3])
    #expect(try store.trend(inventory: "inventory/lab.txt").points.map(\.scanID) == [4])
    // Shard 1/2's second scan diffs against its first, never against shard 2/2's; the whole-inventory scan against none.
    #expect(previousOf == [1: nil, 2: nil, 3: 1, 4: nil])
  }
}
