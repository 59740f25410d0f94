import FleetPortsCore

/// Findings as JUnit XML for CI dashboards: one `<testsuite>` per host; in it a `scan`
/// testcase (an `<error>` when the host could not be scanned, `<skipped>` when the scan was
/// interrupted first) and one testcase per rule of the scan, which has a `<failure>` when the
/// host has an unsuppressed finding of that rule. Suppressed findings pass, noted in
/// `<system-out>`.
enum JUnitReport {
  static func render(_ facts: ReportFacts) -> String {
    let x = { (text: String) in XMLText.escape(text, attribute: true) }
    var suites: [String] = []
    var totalTests = 0
    var totalFailures = 0
    var totalErrors = 0
    var totalSkipped = 0
    for host in facts.hosts {
      let result = host.result
      var cases = ""
      var tests = 1
      var failures = 0
      var errors = 0
      var skipped = 0
      let className = "fleetports." + result.name
      let time = result.durationSeconds.map { String(format3($0)) } ?? "0"
      switch result.status {
      case .ok:
        cases += "    <testcase classname=\"\(x(className))\" name=\"scan\" time=\"\(time)\"/>\n"
      case .failed:
        errors += 1
        let code = result.failure?.code.rawValue ?? "failed"
        let message = result.failure?.message ?? "the host could not be scanned"
        cases += "    <testcase classname=\"\(x(className))\" name=\"scan\" time=\"\(time)\">\n"
        cases += "      <error type=\"\(x(code))\" message=\"\(x(message))\">\(XMLText.escape("\(result.address):\(result.port): \(message)"))</error>\n"
        cases += "    </testcase>\n"
      case .notScanned:
        skipped += 1
        cases += "    <testcase classname=\"\(x(className))\" name=\"scan\"><skipped message=\"the scan was interrupted before this host\"/></testcase>\n"
      }
      if result.status == .ok {
        var byRule: [String: [Finding]] = [:]
        for index in host.findingIndexes { byRule[facts.findings[index].ruleID, default: []].append(facts.findings[index]) }
        for rule in facts.rules {
          tests += 1
          let found = byRule[rule] ?? []
          let active = found.filter { $0.suppressed == nil }
          let suppressed = found.filter { $0.suppressed != nil }
          guard !found.isEmpty else {
            cases += "    <testcase classname=\"\(x(className))\" name=\"\(x(rule))\"/>\n"
            continue
          }
          cases += "    <testcase classname=\"\(x(className))\" name=\"\(x(rule))\">\n"
          if let worst = active.max(by: { $0.severity < $1.severity }) {
            failures += 1
            let message = active.count == 1 ? worst.title : "\(active.count) findings, worst \(worst.severity.rawValue): \(worst.title)"
            let body = active.map(detail).joined(separator: "\n")
            cases += "      <failure type=\"\(x(worst.severity.rawValue))\" message=\"\(x(message))\">\(XMLText.escape(body))</failure>\n"
          }
          if !suppressed.isEmpty {
            let body = suppressed.map { "suppressed: \(detail($0)) (reason: \($0.suppressed?.reason ?? "")\($0.suppressed?.expires.map { ", until \($0)" } ?? ""))" }
            cases += "      <system-out>\(XMLText.escape(body.joined(separator: "\n")))</system-out>\n"
          }
          cases += "    </testcase>\n"
        }
      }
      totalTests += tests
      totalFailures += failures
      totalErrors += errors
      totalSkipped += skipped
      var suite = "  <testsuite name=\"\(x(result.name))\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(time)\""
      suite += " hostname=\"\(x(result.address))\" timestamp=\"\(x(facts.scan.startedAt))\">\n"
      suite += cases + "  </testsuite>\n"
      suites.append(suite)
    }
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    xml += "<testsuites name=\"fleetports \(x(facts.scan.options.inventory))\" tests=\"\(totalTests)\" failures=\"\(totalFailures)\" errors=\"\(totalErrors)\" skipped=\"\(totalSkipped)\">\n"
    xml += suites.joined()
    xml += "</testsuites>\n"
    return xml
  }

  static func detail(_ finding: Finding) -> String {
    var text = "[\(finding.severity.rawValue)] \(finding.title)"
    if let socket = finding.socket { text += " on \(socket.text)" }
    if let exposure = finding.socket?.exposureSummary { text += " (exposure: \(exposure))" }
    text += ": \(finding.evidence)"
    if !finding.fix.isEmpty { text += " Fix: \(finding.fix)" }
    return text
  }

  /// Seconds with three decimals, without Foundation's locale-dependent formatting.
  static func format3(_ seconds: Double) -> String {
    let millis = Int((max(0, seconds) * 1000).rounded())
    let fraction = String(millis % 1000)
    return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
  }
}
