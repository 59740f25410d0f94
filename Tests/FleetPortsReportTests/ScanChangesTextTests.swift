import FleetPortsCore
import FleetPortsReport
import Testing

@Suite struct ScanChangesTextTests {
  static let changes = ScanChanges(
    old: "7", new: "8",
    hosts: [HostChange(kind: .nowUnreachable, host: "db\u{1B}[2J1", detail: "timed out")],
    listeners: [
      ListenerChange(
        kind: .bindWidened, host: "db1", proto: .tcp, port: 5432,
        before: [ListenerBind(address: "127.0.0.1", reach: .loopback, processes: ["postgres"])],
        after: [ListenerBind(address: "0.0.0.0", reach: .public, processes: ["<img src=x onerror=alert(1)>|"])])
    ],
    findings: [])

  @Test func terminalTextIsSanitised() {
    let text = ScanChangesText.terminal(Self.changes)
    #expect(text.contains("bind-widened: db1 tcp/5432 127.0.0.1 (loopback) postgres → 0.0.0.0 (public)"))
    #expect(!text.unicodeScalars.contains { $0.value == 0x1B })
  }

  @Test func markdownCannotBreakTheTableOrInjectHTML() {
    let text = ScanChangesText.markdown(Self.changes)
    #expect(text.contains("## Changes since the previous scan"))
    #expect(!text.contains("<img"))
    #expect(text.split(separator: "\n").first { $0.hasPrefix("| bind-widened") }?.contains("\\|") == true)
  }
}

extension ScanChangesTextTests {
  @Test func reportsShowTheChangesEscaped() throws {
    var scan = try TestSupport.scan("fleet.scan.json")
    scan.changesSinceLast = Self.changes
    let html = String(decoding: try ReportWriter.render(scan, format: .html), as: UTF8.self)
    #expect(html.contains("<section id=\"changes\">"))
    #expect(html.contains("bind-widened"))
    #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
    let markdown = String(decoding: try ReportWriter.render(scan, format: .md), as: UTF8.self)
    #expect(markdown.contains("## Changes since the previous scan"))
    scan.changesSinceLast = nil
    let without = String(decoding: try ReportWriter.render(scan, format: .html), as: UTF8.self)
    #expect(!without.contains("id=\"changes\""))
  }
}
