import FleetPortsCore
import FleetPortsReport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct ReportWriterTests {
  @Test func writesEveryFormatPrivatelyAndPointsLatestAtTheFolder() throws {
    let root = try TestSupport.outputFolder("writer")
    let folder = root + "/20261125T092922Z"
    let scan = try TestSupport.scan("fleet.scan.json")
    let paths = try ReportWriter.write(scan, formats: ReportFormat.allCases, to: folder, updateLatest: true)
    #expect(paths.map { ($0 as NSString).lastPathComponent } == ["report.html", "report.md", "scan.json", "report.sarif", "report.junit.xml"])
    let folderMode = try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? Int
    #expect(folderMode == 0o700)
    for path in paths {
      let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
      #expect(mode == 0o600, "\(path) has mode \(String(mode ?? 0, radix: 8))")
    }
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/latest") == "20261125T092922Z")
    #expect(try ScanJSON.load(root + "/latest").scan == scan)
    // Re-rendering through the link writes into the real folder and keeps the link intact.
    _ = try ReportWriter.write(scan, formats: [.md], to: root + "/latest")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/latest") == "20261125T092922Z")
  }

  @Test func aFolderOthersCanWriteToIsRefusedAndLeftAsItWas() throws {
    let scan = try TestSupport.scan("fleet.scan.json")
    var before = stat()
    stat("/tmp", &before)
    #expect(throws: (any Error).self) { try ReportWriter.write(scan, formats: [.md], to: "/tmp") }
    var after = stat()
    stat("/tmp", &after)
    #expect(before.st_mode == after.st_mode, "the folder's mode must not change")
    #expect(!FileManager.default.fileExists(atPath: "/tmp/report.md"))
  }

  @Test func scanJSONIsWhatTheScanWrote() throws {
    let original = try Data(contentsOf: TestSupport.fixtures.appendingPathComponent("local.scan.json"))
    let scan = try TestSupport.scan("local.scan.json")
    #expect(Data(try ReportWriter.render(scan, format: .json)) == original)
  }

  @Test func unreadableScanNamesThePath() throws {
    #expect(throws: ReportError.unreadableScan(path: "/nonexistent/scan.json", reason: "no such file or folder")) {
      try ScanJSON.load("/nonexistent/scan.json")
    }
    let folder = try TestSupport.outputFolder("bad-json")
    try "{\"schemaVersion\": 1}".write(toFile: folder + "/scan.json", atomically: true, encoding: .utf8)
    do {
      _ = try ScanJSON.load(folder)
      Issue.record("an invalid scan.json was accepted")
    } catch {
      #expect(error.description.contains(folder + "/scan.json"))
      #expect(error.description.contains("missing tool"))
    }
  }
}
