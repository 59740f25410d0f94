import FleetPortsCore
import Foundation
import Testing

@testable import FleetPortsReport

@Suite struct MarkdownReportTests {
  /// Golden file: Fixtures/fleet.scan.json → Fixtures/fleet.report.md.
  /// Regenerate with `FLEETPORTS_UPDATE_GOLDEN=1 swift test --filter MarkdownReportTests`.
  @Test func matchesTheGoldenFile() throws {
    let markdown = try TestSupport.text(try TestSupport.scan("fleet.scan.json"), .md)
    let golden = TestSupport.fixtures.appendingPathComponent("fleet.report.md")
    if ProcessInfo.processInfo.environment["FLEETPORTS_UPDATE_GOLDEN"] == "1" {
      try markdown.write(to: golden, atomically: true, encoding: .utf8)
      print("updated \(golden.path)")
    }
    let expected = try String(contentsOf: golden, encoding: .utf8)
    #expect(markdown == expected, "report.md differs from \(golden.path); if the change is intended, regenerate with FLEETPORTS_UPDATE_GOLDEN=1")
  }

  @Test func hostileValuesCannotBreakATableOrInjectHTML() throws {
    let markdown = try TestSupport.text(try TestSupport.scan("fleet.scan.json"), .md)
    #expect(!markdown.contains("<img"))
    #expect(!markdown.contains("<b>"))
    #expect(!markdown.contains("<script"))
    #expect(markdown.contains("&lt;img src=x onerror=alert(1)&gt;"))
    // Every table row has as many unescaped cell separators as its header.
    var columns: Int?
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      guard line.hasPrefix("|") else {
        columns = nil
        continue
      }
      let separators = unescapedPipes(line)
      if let columns { #expect(separators == columns, "row breaks its table: \(line)") } else { columns = separators }
    }
  }

  @Test func lineBreaksAndBackticksInCellsAreEscaped() throws {
    let options = ScanOptions(inventory: "x", method: .auto, sudo: false, parallel: 1, timeoutSeconds: 1, hostKeyChecking: "strict")
    var scan = ScanResult(toolVersion: "0", startedAt: "a", finishedAt: "b", interrupted: false, options: options, hosts: [])
    scan.findings = [
      Finding(ruleID: "r|x", severity: .high, title: "a`b`\nc\r\nd", host: "h", socket: nil, evidence: "[link](javascript:x) @team", fix: "*x* _y_")
    ]
    let markdown = try TestSupport.text(scan, .md)
    #expect(markdown.contains("### High: r\\|x — a\\`b\\`<br>c<br>d\n"))
    #expect(markdown.contains("**Fix:** \\*x\\* \\_y\\_\n"))
    #expect(markdown.contains("| high | h | — | \\[link\\](javascript:x) &#64;team |"))
  }

  func unescapedPipes(_ line: String) -> Int {
    var count = 0
    var escaped = false
    for character in line {
      if escaped {
        escaped = false
        continue
      }
      if character == "\\" { escaped = true } else if character == "|" { count += 1 }
    }
    return count
  }
}

extension MarkdownReportTests {
  @Test func hostTextCannotBecomeALinkOrSpoofDirection() {
    let cell = MarkdownText.cell("see https://evil.example and www.evil.example \u{202E}txt.exe")
    #expect(!cell.contains("://"))
    #expect(!cell.lowercased().contains("www."))
    #expect(!cell.unicodeScalars.contains { $0.value == 0x202E })
  }
}

extension MarkdownReportTests {
  @Test func plainCellsComeBackAsTheyAre() {
    #expect(MarkdownText.cell("10.200.0.11:22 (sshd, user root)") == "10.200.0.11:22 (sshd, user root)")
    #expect(MarkdownText.cell("fd00:200::1:1c") == "fd00:200::1:1c")
  }

  @Test func linksInOtherwisePlainTextAreStillBroken() {
    #expect(MarkdownText.cell("WWW.example") == "WWW&#46;example")
    #expect(MarkdownText.cell("http://a") == "http&#58;//a")
    #expect(MarkdownText.cell("a.b_c") == "a.b\\_c")
    #expect(MarkdownText.cell("tab\there") == "tab\\x09here")
  }
}
