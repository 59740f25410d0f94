import FleetPortsCore
import FleetPortsReport
import Testing

@Suite struct ScanSummaryTextTests {
  @Test func hostileTextNeverReachesTheTerminalRaw() {
    let options = ScanOptions(inventory: "inv\u{1B}[2J.txt", method: .auto, sudo: false, parallel: 1, timeoutSeconds: 1, hostKeyChecking: "strict")
    let failed = HostResult(
      name: "web\u{1B}]0;owned\u{07}", address: "10.0.0.1", port: 22, user: "root", groups: [], status: .failed,
      failure: HostResult.Failure(code: .authenticationFailed, message: "denied\r\nfake line"))
    let scan = ScanResult(toolVersion: "0", startedAt: "a", finishedAt: "b", interrupted: false, options: options, hosts: [failed])
    let text = ScanSummaryText.render(scan, reportPath: nil)
    #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x0D })
    #expect(text.contains("web\\x1b]0;owned\\x07"))
    #expect(text.contains("1 failed"))
  }
}

@Suite struct FindingsTextTests {
  @Test func findingsAreGroupedByRuleWithTheirFirstHostsAndListedOnlyWhenVerbose() throws {
    let scan = try TestSupport.scan("fleet.scan.json")
    let short = FindingsText.render(scan, failOn: .high)
    #expect(short.contains("SEVERITY  RULE"))
    let line = try #require(short.split(separator: "\n").first { $0.contains("datastore-exposed") })
    #expect(line.contains("CRITICAL") && line.contains("10.200.0.12, <img src=x onerror=alert(1)>"))
    #expect(!short.contains("listen_addresses = '*'"), "evidence only with --verbose")
    #expect(short.contains("--fail-on high: 2 unsuppressed finding(s) at or above it"))
    let verbose = FindingsText.render(scan, failOn: nil, verbose: true)
    #expect(verbose.contains("  fix: set listen_addresses = 'localhost'"))
    #expect(verbose.contains("CRITICAL 10.200.0.12  tcp 0.0.0.0:5432  listen_addresses = '*'"))
    #expect(!verbose.contains("public-listener-not-allowed"), "suppressed findings are not listed")
  }
}
