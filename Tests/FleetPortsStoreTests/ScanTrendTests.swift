import FleetPortsCore
import FleetPortsReport
import Foundation
import LabSupport
import Testing

@testable import FleetPortsStore

/// `ScanStore.trend`: the numbers the report's trend chart draws, per inventory, oldest first.
@Suite struct ScanTrendTests {
  @Test func theTrendCountsListenersBeyondLoopbackAndUnsuppressedFindingsPerScan() throws {
    let dir = try StoreFixtures.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try ScanStore(path: dir + "/fleetports.db")
    let first = try StoreFixtures.fleet(startedSecondsAgo: 300)
    var second = try StoreFixtures.fleet(startedSecondsAgo: 200)
    second.findings.removeLast()
    let other = try StoreFixtures.fleet(startedSecondsAgo: 100, inventory: "inventory/other.txt")
    let firstID = try store.save(first).id
    let secondID = try store.save(second).id
    _ = try store.save(other)

    let trend = try store.trend(inventory: "inventory/lab.txt")
    #expect(trend.points.map(\.scanID) == [firstID, secondID])
    let own = ScanTrend.point(first)
    #expect(own.listenersBeyondLoopback > 0)
    #expect(trend.points[0].listenersBeyondLoopback == own.listenersBeyondLoopback, "the store agrees with the aggregate")
    #expect(trend.points[0].findings == own.findings)
    #expect(trend.points[1].findings == ScanTrend.point(second).findings)
    #expect(try store.trend(inventory: "inventory/lab.txt", throughID: firstID).points.map(\.scanID) == [firstID])
    #expect(try store.trend(inventory: "inventory/lab.txt", limit: 1).points.map(\.scanID) == [secondID])
    #expect(try store.trend(inventory: "nothing").points.isEmpty)
  }

  @Test func aReportEndsItsTrendWithTheScanItShows() throws {
    let scan = try StoreFixtures.fleet()
    let older = ScanTrend.Point(scanID: 1, startedAt: "2026-01-01T00:00:00Z", listenersBeyondLoopback: 3, findings: [.high: 1])
    let newer = ScanTrend.Point(scanID: 9, startedAt: "2027-01-01T00:00:00Z", listenersBeyondLoopback: 3, findings: [:])
    let trend = ScanTrend(points: [older, newer]).ending(with: scan, scanID: 5)
    #expect(trend.points.map(\.scanID) == [1, 5])
    #expect(ScanTrend(points: (1...40).map { ScanTrend.Point(scanID: Int64($0), startedAt: "", listenersBeyondLoopback: 0, findings: [:]) }).points.count == 30)
  }
}
