import FleetPortsCore
import FleetPortsReport
import FleetPortsScan
import FleetPortsStore
import Foundation
import LabSupport
import Testing

/// scan.json and the history together: the file is encoded once, stored from, and put in
/// place only when the scan is stored; when storing fails the scan's files are still written.
@Suite struct ScanSessionStoreTests {
  static func folder() throws -> String {
    let path = NSTemporaryDirectory() + "fp-session-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    chmod(path, 0o700)
    return path
  }

  static func session(_ dir: String, store: ScanStore) throws -> ScanSession {
    ScanSession(
      plan: try ScanInputs.local(method: .proc, policy: nil),
      reports: ReportDestination(out: dir + "/report", formats: [.json, .md]), store: store, toolVersion: "test")
  }

  @Test func theStoredScanAndItsFileAreTheSameBytes() async throws {
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try ScanStore(path: dir + "/fleetports.db")
    let outcome = try await Self.session(dir, store: store).run()
    let id = try #require(outcome.storedID)
    #expect(outcome.reportPaths == [dir + "/report/scan.json", dir + "/report/report.md"])
    let written = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/report/scan.json")))
    #expect(written == (try store.scanJSON(id: id)))
    #expect(written == (try ScanJSON.encode(outcome.scan)))
    #expect(!FileManager.default.fileExists(atPath: dir + "/report/scan.json.tmp"))
  }

  /// A real SQLite that refuses the scan (a trigger on its table): the outcome says so, exits
  /// 5, and scan.json is still written whole, with no half-written file left beside it.
  @Test func aScanTheHistoryRefusesIsStillWritten() async throws {
    let dir = try Self.folder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try ScanStore(path: dir + "/fleetports.db")
    let trigger = try ChildProcess.run([
      "python3", "-c",
      "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        + "c.execute(\"CREATE TRIGGER refuse BEFORE INSERT ON scan BEGIN SELECT RAISE(ABORT, 'refused by the test'); END\"); c.commit()",
      dir + "/fleetports.db",
    ])
    #expect(trigger.status == 0, "\(String(decoding: trigger.stderr, as: UTF8.self))")
    let outcome = try await Self.session(dir, store: store).run()
    #expect(outcome.storedID == nil)
    #expect(outcome.storeFailure?.contains("refused by the test") == true)
    #expect(outcome.exitCode(failOn: nil) == 5)
    #expect(outcome.reportPaths.first == dir + "/report/scan.json")
    let written = Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/report/scan.json")))
    #expect(written == (try ScanJSON.encode(outcome.scan)))
    #expect(try ScanJSON.load(dir + "/report/scan.json").scan == outcome.scan)
    #expect(!FileManager.default.fileExists(atPath: dir + "/report/scan.json.tmp"))
  }
}
