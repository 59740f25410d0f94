import FleetPortsReport
import Testing

@Suite struct ReportFormatTests {
  @Test func parsesACommaListKeepingOrderAndDroppingRepeats() throws {
    #expect(try ReportFormat.parseList("html, MD,json,html") == [.html, .md, .json])
    #expect(try ReportFormat.parseList("sarif,junit,markdown") == [.sarif, .junit, .md])
    #expect(ReportFormat.allCases.map(\.fileName) == ["report.html", "report.md", "scan.json", "report.sarif", "report.junit.xml"])
  }

  @Test func namesTheBadFormat() {
    #expect(throws: ReportFormatError.unknownFormat("pdf")) { try ReportFormat.parseList("html,pdf") }
    #expect(throws: ReportFormatError.empty) { try ReportFormat.parseList(" , ") }
    #expect(ReportFormatError.unknownFormat("pdf").description.contains("'pdf'"))
    #expect(ReportFormatError.unknownFormat("pdf").description.contains("html, md, json, sarif, junit"))
  }
}
