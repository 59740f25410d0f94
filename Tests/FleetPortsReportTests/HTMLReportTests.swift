import FleetPortsCore
import Foundation
import Testing

@testable import FleetPortsReport

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
    #expect(html.contains("<details class=\"host\" id=\"h0\" data-host=\"vm\">"))
    #expect(html.contains("ListenOverflows"))
  }

  @Test(.needs("chromium, chromedriver and python3-venv") {
    TestSupport.chromium != nil && TestSupport.chromedriver != nil && TestSupport.pythonWithVenv != nil
  })
  func opensInChromiumThroughSeleniumUsesEveryFilterSortsAndOpensAHost() throws {
    _ = try TestSupport.require(TestSupport.chromium, "chromium")
    _ = try TestSupport.require(TestSupport.chromedriver, "chromedriver (chromium-driver)")
    let python = try TestSupport.seleniumPython()
    let scan = try TestSupport.scan("fleet.scan.json")
    let folder = try TestSupport.outputFolder("html-browser")
    let paths = try ReportWriter.write(scan, formats: [.html], to: folder)
    let result = try BrowserCheck.run(python: python, report: paths[0], screenshot: folder + "/overview.png")
    BrowserCheck.expectClean(result, report: paths[0])
    let text = result["bodyText"] as? String ?? ""
    #expect(text.contains(Self.hostile), "the hostile name shows as text")

    // The overview's numbers are scan.json's.
    let facts = ReportFacts(scan)
    let overview = result["overview"] as? [String: Any] ?? [:]
    #expect(overview["hosts"] as? Int == scan.hosts.count)
    #expect(overview["scanned"] as? Int == scan.succeeded.count)
    #expect(overview["failed"] as? Int == scan.hosts.filter { $0.status == .failed }.count)
    #expect(overview["notScanned"] as? Int == scan.hosts.filter { $0.status == .notScanned }.count)
    let reach = scan.fleetAggregate.reach
    #expect(overview["beyond"] as? Int == reach.public + reach.privateNetwork + reach.linkLocal)
    for r in ReachClass.allCases { #expect((overview["reach"] as? [String: Int])?[r.rawValue] == reach[r]) }
    for s in Severity.allCases {
      #expect((overview["severity"] as? [String: Int])?[s.rawValue] == scan.findings.filter { $0.severity == s && $0.suppressed == nil }.count)
    }
    #expect(overview["suppressed"] as? Int == scan.findings.filter { $0.suppressed != nil }.count)
    #expect(overview["svgCharts"] as? Int == 4)

    // Findings: suppressed ones only on request; every filter shows exactly its findings.
    let findings = result["findings"] as? [String: Any] ?? [:]
    #expect(findings["total"] as? Int == scan.findings.count)
    #expect(findings["defaultVisible"] as? Int == scan.findings.filter { $0.suppressed == nil }.count)
    #expect(findings["withSuppressed"] as? Int == scan.findings.count)
    let bySeverity = findings["bySeverity"] as? [String: [String]] ?? [:]
    #expect(bySeverity["all"]?.count == scan.findings.count)
    for severity in Severity.allCases {
      let shown = bySeverity[severity.rawValue] ?? ["missing"]
      #expect(shown.count == scan.findings.filter { $0.severity == severity }.count)
      #expect(shown.allSatisfy { $0 == severity.rawValue })
    }
    let byRule = findings["byRule"] as? [String: [String]] ?? [:]
    for rule in facts.rules { #expect(byRule[rule] == Array(repeating: rule, count: scan.findings.filter { $0.ruleID == rule }.count)) }
    let byHost = findings["byHost"] as? [String: [String]] ?? [:]
    for host in Set(scan.findings.map(\.host)) {
      #expect(byHost[host] == Array(repeating: host, count: scan.findings.filter { $0.host == host }.count))
    }
    let byGroup = findings["byGroup"] as? [String: Int] ?? [:]
    for group in facts.groups {
      let members = Set(scan.hosts.filter { $0.groups.contains(group) }.map(\.name))
      #expect(byGroup[group] == scan.findings.filter { members.contains($0.host) }.count, "group \(group)")
    }

    // Services: search, reach, group, peer outliers, and sorting by port both ways.
    let services = result["services"] as? [String: Any] ?? [:]
    #expect(services["total"] as? Int == facts.services.count)
    #expect(services["searchSsh"] as? Int == facts.services.filter { $0.name == "ssh" }.count)
    for (reach, shown) in services["byReach"] as? [String: [String]] ?? [:] where reach != "all" {
      #expect(shown.allSatisfy { $0 == reach } && shown.count == facts.services.filter { $0.widest.rawValue == reach }.count)
    }
    #expect((services["outliersOnly"] as? [String])?.allSatisfy { $0 == "1" } == true)
    let before = services["portsBefore"] as? [Int] ?? []
    #expect(before.count == facts.services.count && before.count > 2)
    #expect(services["portsAfterOneClick"] as? [Int] == before.sorted())
    #expect(services["portsAfterTwoClicks"] as? [Int] == before.sorted().reversed())

    // A host is rendered when opened; its listeners sort; a finding's link opens its host.
    let host = result["host"] as? [String: Any] ?? [:]
    #expect(host["renderedBefore"] as? Int == 0, "host details are rendered lazily")
    #expect((host["renderedAfter"] as? Int ?? 0) > 0)
    let processes = host["processesBefore"] as? [String] ?? []
    #expect(processes.count > 2)
    #expect(host["processesAfterOneClick"] as? [String] == processes.sorted { $0.lowercased() < $1.lowercased() })
    #expect(host["connectionsTables"] as? Int == 1)
    #expect(host["linkOpened"] as? Bool == true)
    #expect(FileManager.default.fileExists(atPath: folder + "/overview.png"))
    print("Selenium: \(BrowserCheck.timingText(result)); screenshot \(folder)/overview.png")
  }
}

/// Runs tools/browser_check.py (Selenium, chromedriver, headless Chromium) on a report.
enum BrowserCheck {
  static func run(python: String, report: String, screenshot: String, timeout: Double = 120) throws -> [String: Any] {
    let helper = TestSupport.repoRoot.appendingPathComponent("tools/browser_check.py").path
    let output = try TestSupport.run(python, [helper, report, screenshot, String(Int(timeout - 10))], timeout: timeout)
    #expect(output.status == 0, "browser_check.py failed: \(output.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
    return try #require(object as? [String: Any], "browser_check.py printed: \(output.stdout)")
  }

  /// No error, console error, dialog, image, foreign script or request but the report itself.
  static func expectClean(_ result: [String: Any], report: String) {
    #expect(result["error"] == nil, "\(result["error"] ?? "")")
    #expect((result["consoleErrors"] as? [String]) == [])
    #expect((result["dialogs"] as? [String]) == [], "an alert ran")
    #expect((result["requests"] as? [String] ?? ["?"]).allSatisfy { $0 == "file://" + report }, "the page fetched something")
    #expect(result["imgCount"] as? Int == 0)
    #expect(result["xssFlag"] is NSNull)
    #expect(result["scriptCount"] as? Int == 1)
  }

  static func timingText(_ result: [String: Any]) -> String {
    let timing = result["timing"] as? [String: Any] ?? [:]
    return "Chromium load event \(timing["load"] ?? "?") ms after navigation start (DOMContentLoaded \(timing["domContentLoaded"] ?? "?") ms, "
      + "first contentful paint \(timing["firstContentfulPaint"] ?? "?") ms; driver.get returned after \(result["getSeconds"] ?? "?") s)"
  }
}
