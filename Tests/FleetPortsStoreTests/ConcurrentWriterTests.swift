import Dispatch
import FleetPortsCore
import Foundation
import GRDB
import LabSupport
import Testing

@testable import FleetPortsStore

/// Two writers with their own connections (as two fleetports processes have) on one file.
@Suite struct ConcurrentWriterTests {
  @Test func twoPoolsWritingAtOnceLoseNothingAndCorruptNothing() throws {
    let dir = try StoreFixtures.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/fleetports.db"
    let scan = try StoreFixtures.fleet()
    let perWriter = 8
    let results = ResultBox()
    // Both open the new file at once too: creating and migrating it is raced as well.
    DispatchQueue.concurrentPerform(iterations: 2) { _ in
      do {
        let store = try ScanStore(path: path)
        for _ in 0..<perWriter { results.add(try store.save(scan).id) }
      } catch {
        results.fail("\(error)")
      }
    }
    #expect(results.errors.isEmpty, "\(results.errors)")
    #expect(Set(results.ids).count == 2 * perWriter)
    let store = try ScanStore(path: path)
    #expect(try store.ids().count == 2 * perWriter)
    let check = try store.read("test") { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    #expect(check == ["ok"])
    let listeners = try store.read("test") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM listener") }
    #expect(listeners == 2 * perWriter * (try store.summary(id: 1)).listeners)
  }

  /// Ids and errors from both writers.
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
