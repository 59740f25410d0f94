import FleetPortsCore
import Foundation

/// The analysis fixtures (Fixtures/analysis/, see Fixtures/README.md) and the tuple tests compare.
enum AnalysisFixtures {
  static func scan(_ name: String) throws -> ScanResult {
    try JSONDecoder().decode(ScanResult.self, from: Data(try FixtureFiles.bytes("analysis/\(name)")))
  }

  /// `lab8-scan.json`: a scan of lab hosts 1–8 (ss on all but lab-007, which falls back to netstat).
  static func lab() throws -> ScanResult { try scan("lab8-scan.json") }

  /// `netns-root-scan.json`: `fleetports local` in a scratch namespace with a public address.
  static func netns() throws -> ScanResult { try scan("netns-root-scan.json") }

  // swift-format-ignore: NeverForceUnwrap
  // A literal, valid date.
  static let today = PolicyDate("2025-06-01")!
}

/// What set equality of findings compares: (rule, host, port).
struct FindingKey: Hashable, CustomStringConvertible {
  var rule: String
  var host: String
  var port: UInt16?

  init(_ rule: String, _ host: String, _ port: UInt16?) {
    self.rule = rule
    self.host = host
    self.port = port
  }

  init(_ finding: Finding) { self.init(finding.ruleID, finding.host, finding.socket?.port) }

  var description: String { "(\(rule), \(host), \(port.map(String.init) ?? "-"))" }
}

extension Array where Element == Finding {
  var keys: Set<FindingKey> { Set(map(FindingKey.init)) }
}
