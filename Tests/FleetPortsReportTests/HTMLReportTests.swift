import FleetPortsCore
import FleetPortsReport
import Foundation
import Testing

@Suite struct HTMLReportTests {
  static let hostile = "<img src=x onerror=alert(1)>"

  @Test func isSelfContainedAndEscapesHostValues() throws {
    let html = try TestSupport.text(try TestSupport.scan("fleet.scan.json"), .html)
    #expect(!html.contains(Self.hostile))
    #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
    #expect(!html.contains("<script>window.__fpXSS"))
    #expect(html.components(separatedBy: "<script").count == 2, "exactly one script element, our own")
    // No URL that would be fetched: no src/href to anything but in-page anchors.
    #expect(!html.contains("src=\""))
    #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"))
    for href in html.components(separatedBy: "href=\"").dropFirst() { #expect(href.hasPrefix("#")) }
    #expect(!html.contains("{{"), "a template tag was left unrendered")
    // Quotes in host values are escaped, so attributes cannot be broken out of.
    #expect(html.contains("data-host=\"&lt;img src=x onerror=alert(1)&gt;\""))
    #expect(html.contains("web|wor`ker\n&lt;b&gt;&amp;&quot;&#39;"))
    // Hosts link to their sections and findings link back.
    #expect(html.contains("<summary><b>10.200.0.12</b>"))
    #expect(html.contains("<summary><b>&lt;img src=x onerror=alert(1)&gt;</b>"))
    #expect(html.contains("<a href=\"#h1\">10.200.0.12</a>"))
    #expect(html.contains("<li><a href=\"#f0\">"))
  }

  @Test func rendersTheRealLocalScan() throws {
    let html = try TestSupport.text(try TestSupport.scan("local.scan.json"), .html)
    #expect(html.contains("<details class=\"host\" id=\"h0\">"))
    #expect(html.contains("ListenOverflows"))
  }

  @Test(.needs("python3 and chromium") { TestSupport.pythonWithJSON != nil && TestSupport.chromium != nil })
  func opensInHeadlessChromiumWithoutErrorsAndSortsAndFilters() throws {
    let python = try TestSupport.require(TestSupport.pythonWithJSON, "python3")
    _ = try TestSupport.require(TestSupport.chromium, "chromium")
    let folder = try TestSupport.outputFolder("html-browser")
    let paths = try ReportWriter.write(try TestSupport.scan("fleet.scan.json"), formats: [.html], to: folder)
    let screenshot = folder + "/report.png"
    let helper = TestSupport.repoRoot.appendingPathComponent("tools/html_check.py").path
    let output = try TestSupport.run(python, [helper, paths[0], screenshot, "90"], timeout: 120)
    #expect(output.status == 0, "html_check.py failed: \(output.stderr)")
    let data = Data(output.stdout.utf8)
    let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "html_check.py printed: \(output.stdout)")
    #expect(result["error"] == nil, "\(result["error"] ?? "")")
    #expect((result["consoleErrors"] as? [String]) == [])
    #expect((result["exceptions"] as? [String]) == [])
    #expect((result["dialogs"] as? [String]) == [], "an alert ran")
    #expect((result["requests"] as? [String]) == ["file://" + paths[0]], "the page fetched something")
    #expect(result["imgCount"] as? Int == 0)
    #expect(result["xssFlag"] is NSNull)
    #expect(result["scriptCount"] as? Int == 1)
    let text = result["bodyText"] as? String ?? ""
    #expect(text.contains(Self.hostile), "the hostile name shows as text")
    #expect(text.contains("<script>window.__fpXSS=1</script>"))

    let before = result["processesBefore"] as? [String] ?? []
    let ascending = result["processesAfterOneClick"] as? [String] ?? []
    let descending = result["processesAfterTwoClicks"] as? [String] ?? []
    #expect(before.count > 2)
    #expect(ascending == before.sorted { $0.lowercased() < $1.lowercased() })
    #expect(descending == before.sorted { $0.lowercased() > $1.lowercased() } || descending == ascending.reversed())

    let scan = try TestSupport.scan("fleet.scan.json")
    let visible = result["findingsVisibleBySeverity"] as? [String: [String]] ?? [:]
    #expect(result["findingsTotal"] as? Int == scan.findings.count)
    #expect(visible["all"]?.count == scan.findings.count)
    for severity in Severity.allCases {
      let shown = visible[severity.rawValue] ?? ["missing"]
      #expect(shown.count == scan.findings.filter { $0.severity == severity }.count)
      #expect(shown.allSatisfy { $0 == severity.rawValue })
    }
    #expect(FileManager.default.fileExists(atPath: screenshot))
    print("screenshot of the HTML report: \(screenshot)")
  }
}
