import FleetPortsCore
import FleetPortsReport
import Foundation
import Testing

@Suite struct JUnitReportTests {
  /// Parses report.junit.xml with python3's xml.etree and checks suites, cases and failures.
  @Test(.needs("python3") { TestSupport.pythonWithXML != nil })
  func parsesWithXMLEtree() throws {
    let python = try TestSupport.require(TestSupport.pythonWithXML, "python3")
    let folder = try TestSupport.outputFolder("junit")
    let paths = try ReportWriter.write(try TestSupport.scan("fleet.scan.json"), formats: [.junit], to: folder)
    let script = """
      import json, sys, xml.etree.ElementTree as ET
      root = ET.parse(sys.argv[1]).getroot()
      out = {"root": root.tag, "tests": root.get("tests"), "failures": root.get("failures"), "errors": root.get("errors"), "suites": []}
      for suite in root.findall("testsuite"):
          cases = []
          for case in suite.findall("testcase"):
              kind = "failure" if case.find("failure") is not None else "error" if case.find("error") is not None else "skipped" if case.find("skipped") is not None else "pass"
              message = next((child.get("message") for child in case if child.tag in ("failure", "error")), None)
              cases.append({"name": case.get("name"), "kind": kind, "message": message})
          out["suites"].append({"name": suite.get("name"), "tests": suite.get("tests"), "cases": cases})
      print(json.dumps(out))
      """
    let output = try TestSupport.run(python, ["-c", script, paths[0]], timeout: 60)
    #expect(output.status == 0, "xml.etree could not parse it: \(output.stderr)")
    let parsed = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    #expect(parsed["root"] as? String == "testsuites")
    let suites = try #require(parsed["suites"] as? [[String: Any]])
    #expect(suites.count == 6, "one testsuite per host")
    func cases(_ host: String) -> [String: String] {
      let suite = suites.first { $0["name"] as? String == host }
      let list = suite?["cases"] as? [[String: Any]] ?? []
      return Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "", $0["kind"] as? String ?? "") })
    }
    #expect(cases("10.200.0.12")["datastore-exposed"] == "failure")
    #expect(cases("10.200.0.12")["world-writable-unix-socket"] == "failure")
    #expect(cases("10.200.0.12")["udp-amplifier"] == "pass")
    #expect(cases("10.200.0.11")["public-listener-not-allowed"] == "pass", "suppressed findings do not fail")
    #expect(cases("10.200.0.11")["udp-amplifier"] == "failure")
    #expect(cases("<img src=x onerror=alert(1)>")["datastore-exposed"] == "failure")
    #expect(cases("db-9|`x`")["scan"] == "error")
    #expect(cases("lab-late")["scan"] == "skipped")
    #expect(parsed["failures"] as? String == "5")
    #expect(parsed["errors"] as? String == "1")
    let failed = (suites.first { $0["name"] as? String == "db-9|`x`" }?["cases"] as? [[String: Any]])?.first
    #expect(failed?["message"] as? String == "denied <b>x</b> & \"quoted\"\nsecond line")
  }

  @Test func controlCharactersNeverReachTheXML() throws {
    let options = ScanOptions(inventory: "inv", method: .auto, sudo: false, parallel: 1, timeoutSeconds: 1, hostKeyChecking: "strict")
    let host = HostResult(
      name: "a\u{1B}[2J\u{0}b", address: "10.0.0.1", port: 22, user: "root", groups: [], status: .failed,
      failure: .init(code: FailureCode(rawValue: "x"), message: "bad\u{7}bell"))
    let scan = ScanResult(toolVersion: "0", startedAt: "s", finishedAt: "f", interrupted: false, options: options, hosts: [host])
    let xml = try TestSupport.text(scan, .junit)
    #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    #expect(xml.contains("name=\"a\\x1b[2J\\x00b\""))
  }
}
