import FleetPortsCore
import FleetPortsReport
import Foundation

/// The controller's work after collection, on a real scan (a lab scan's scan.json): what
/// storing encodes and decodes and what every report format costs, per host, best of 5.
/// `fleetports-bench controller SCAN_JSON` (issue 20 item 3: find and measure what a profile
/// of the whole scan shows, one piece at a time, without a lab).
enum ControllerBench {
  static func run(_ path: String, only: String? = nil) throws {
    let scan = try ScanJSON.load(path).scan
    // `controller FILE html` (or another file name): that format alone, 20 times, for `perf record`.
    if let only, let format = ReportFormat.allCases.first(where: { $0.rawValue == only }) {
      for _ in 0..<20 { _ = try ReportWriter.render(scan, format: format) }
      return
    }
    let hosts = Double(scan.hosts.count)
    let clock = ContinuousClock()
    func time(_ name: String, _ body: () throws -> Int) rethrows {
      var best = Double.infinity
      var size = 0
      for _ in 0..<5 {
        let start = clock.now
        size = try body()
        let elapsed = clock.now - start
        best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
      }
      print("| \(name) | \(String(format: "%.3f", best * 1000 / hosts)) ms | \(size / Int(hosts)) B |")
    }
    // The encoder's shortcuts must not change a byte: the file again, from what was read of it.
    let same = try ScanJSON.encode(scan) == Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    print("scan.json encoded again is \(same ? "the same bytes" : "DIFFERENT") as \(path)")
    print("| \(scan.hosts.count) hosts: step | per host | bytes per host |")
    print("|---|---|---|")
    if let today = PolicyDate(year: 2026, month: 11, day: 30) {
      time("analysis (again, no policy)") { scan.analyzed(policy: nil, today: today).findings.count }
    }
    try time("scan.json encoded") { try ScanJSON.encode(scan).count }
    // As a scan writes it: a MiB at a time into its file, never whole in memory.
    try time("scan.json encoded in 1 MiB pieces") { try ScanJSON.encode(scan) { _ in } }
    let basis = try ScanJSON.encode(scan.diffBasis())
    try time("diff basis encoded") { try ScanJSON.encode(scan.diffBasis()).count }
    try time("diff basis decoded") { try JSONDecoder().decode(DiffBasis.self, from: Data(basis)).hosts.count * basis.count / scan.hosts.count }
    try time("diff against it") {
      let old = try JSONDecoder().decode(DiffBasis.self, from: Data(basis))
      return ScanDiff.changes(from: old, to: scan.diffBasis(), oldLabel: "a", newLabel: "b").listeners.count
    }
    for format in [ReportFormat.html, .md, .sarif, .junit] {
      try time("\(format.fileName) rendered") { try ReportWriter.render(scan, format: format).count }
    }
  }
}
