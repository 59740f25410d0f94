import FleetPortsCore
import Foundation
import GRDB
import LabSupport
import Testing

@testable import FleetPortsStore

/// Retention rules, a host's listener history, durations.
@Suite struct PruneAndHistoryTests {
  static func summary(_ id: Int64, age: Double, now: Double) -> StoredScan {
    StoredScan(
      id: id, startedAt: "", startedEpoch: now - age, finishedAt: "", inventory: "", interrupted: false, hostsOK: 1, hostsFailed: 0,
      hostsNotScanned: 0, listeners: 0, findings: [:])
  }

  @Test func pruneRulesKeepTheNewestAndNeedEveryRuleToAgree() {
    let now = 1_000_000.0
    let day = 86_400.0
    // Newest first: 5 is a day old, 1 is five days old.
    let scans = (1...5).reversed().map { Self.summary(Int64($0), age: Double(6 - $0) * day, now: now) }
    #expect(PruneRules(keep: 2, olderThanSeconds: nil).victims(scans, now: now) == [3, 2, 1])
    #expect(PruneRules(keep: nil, olderThanSeconds: 3 * day).victims(scans, now: now) == [2, 1])
    #expect(PruneRules(keep: 4, olderThanSeconds: 3 * day).victims(scans, now: now) == [1])
    #expect(PruneRules(keep: nil, olderThanSeconds: 1).victims(scans, now: now) == [4, 3, 2, 1], "never the newest")
    #expect(PruneRules(keep: nil, olderThanSeconds: nil).victims(scans, now: now).isEmpty)
  }

  @Test func pruneRemovesScansWithTheirRows() throws {
    let dir = try StoreFixtures.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try ScanStore(path: dir + "/fleetports.db")
    for age in [30.0, 20, 10] { try store.save(StoreFixtures.fleet(startedSecondsAgo: age * 86_400)) }
    let removed = try store.prune(PruneRules(keep: nil, olderThanSeconds: 15 * 86_400), now: Date().timeIntervalSince1970, vacuum: true)
    #expect(removed.map(\.id).sorted() == [1, 2])
    #expect(try store.ids() == [3])
    let orphans = try store.read("test") { db in
      try ["host", "listener", "finding"].map { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0) WHERE scanId <> 3") }
    }
    #expect(orphans == [0, 0, 0])
    #expect(try store.save(StoreFixtures.fleet()).id == 4, "ids of pruned scans are not reused")
  }

  @Test func aHostsListenersCarryFirstAndLastSightingAndState() throws {
    let dir = try StoreFixtures.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try ScanStore(path: dir + "/fleetports.db")
    let full = try StoreFixtures.fleet()
    let index = try #require(full.hosts.firstIndex { $0.name == "10.200.0.11" })
    let dropped = try #require(full.hosts[index].snapshot?.listeners.first { $0.local?.port == 80 })
    var without = full
    without.hosts[index].snapshot?.sockets.removeAll { $0 == dropped }
    var unreachable = full
    unreachable.hosts[index].status = .failed
    unreachable.hosts[index].snapshot = nil
    try store.save(full)  // 1
    try store.save(full)  // 2
    try store.save(without)  // 3
    var history = try store.history(host: "10.200.0.11")
    let web = try #require(history.first { $0.proto == "tcp" && $0.port == 80 })
    #expect(web.firstSeen.scanID == 1 && web.lastSeen.scanID == 2 && web.sightings == 2 && web.state == .gone)
    let ssh = try #require(history.first { $0.proto == "tcp" && $0.port == 22 && $0.address == "0.0.0.0" })
    #expect(ssh.firstSeen.scanID == 1 && ssh.lastSeen.scanID == 3 && ssh.state == .listening)
    #expect(ssh.reach != nil)
    try store.save(unreachable)  // 4
    history = try store.history(host: "10.200.0.11")
    #expect(history.first { $0.port == 22 && $0.address == "0.0.0.0" }?.state == .unknown)
    #expect(try store.history(host: "nobody").isEmpty)
    #expect(try store.hostNames().contains("db-9|`x`"))
  }

  @Test func durations() {
    #expect(HistoryDuration.seconds("30m") == 1800)
    #expect(HistoryDuration.seconds("12h") == 43_200)
    #expect(HistoryDuration.seconds("7d") == 604_800)
    #expect(HistoryDuration.seconds("2w") == 1_209_600)
    for bad in ["", "d", "7", "-1d", "0d", "7y", "1.5h"] { #expect(HistoryDuration.seconds(bad) == nil, "\(bad)") }
  }

  @Test func unknownIDsAreListedCompactly() {
    #expect(StoreError.list([1, 2, 3, 5, 7, 8]) == "1-3, 5, 7-8")
  }
}
