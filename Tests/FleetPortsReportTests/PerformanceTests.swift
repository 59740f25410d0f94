import FleetPortsCore
import FleetPortsReport
import Foundation
import Testing

@Suite struct PerformanceTests {
  /// 1,000 hosts made from the real lab snapshots (names, addresses and processes varied),
  /// with three findings each.
  static func fleet(hosts count: Int) throws -> ScanResult {
    let base = try TestSupport.scan("fleet.scan.json")
    let templates = base.hosts.filter { $0.status == .ok && !$0.name.contains("<") }
    var scan = base
    scan.hosts = []
    scan.findings = []
    for index in 0..<count {
      var host = templates[index % templates.count]
      host.name = "host-\(index).dc\(index % 7).example"
      host.address = "10.\(index / 250).\(index % 250).\(index % 200 + 10)"
      if var snapshot = host.snapshot {
        for socketIndex in snapshot.sockets.indices {
          for processIndex in snapshot.sockets[socketIndex].processes.indices {
            snapshot.sockets[socketIndex].processes[processIndex].pid = Int32(1000 + index)
          }
        }
        host.snapshot = snapshot
      }
      scan.hosts.append(host)
      for (rule, severity) in [("datastore-exposed", Severity.high), ("udp-amplifier", .medium), ("close-wait-pileup", .low)] {
        scan.findings.append(
          Finding(
            ruleID: rule, severity: severity, title: "\(rule) on host-\(index)", host: host.name,
            socket: FindingSocket(proto: .tcp, address: "0.0.0.0", port: UInt16(5000 + index % 100), processes: ["svc"], user: "root", reach: .public),
            evidence: "evidence \(index)", fix: "fix it"))
      }
    }
    for index in stride(from: 0, to: count, by: 50) {
      scan.hosts[index].status = .failed
      scan.hosts[index].snapshot = nil
      scan.hosts[index].failure = .init(code: .timeout(phase: "command"), message: "no answer in 30 s")
    }
    return scan
  }

  @Test func thousandHostsStaySmall() throws {
    let scan = try Self.fleet(hosts: 1000)
    var sizes: [ReportFormat: Int] = [:]
    let clock = ContinuousClock()
    _ = try ReportWriter.render(scan, format: .html)  // templates parsed once, outside the timing
    var total = Duration.zero
    var each: [String] = []
    for format in ReportFormat.allCases {
      let elapsed = try clock.measure { sizes[format] = try ReportWriter.render(scan, format: format).count }
      total += elapsed
      each.append("\(format.rawValue) \(elapsed.formatted(.units(allowed: [.milliseconds])))")
    }
    let folder = try TestSupport.outputFolder("perf")
    let writeTime = try clock.measure { _ = try ReportWriter.write(scan, formats: ReportFormat.allCases, to: folder) }
    let sizeText = ReportFormat.allCases.map { "\($0.rawValue) \((sizes[$0] ?? 0) / 1024) KiB" }.joined(separator: ", ")
    print("1,000 hosts: render \(total) (\(each.joined(separator: ", "))); write all \(writeTime); sizes \(sizeText)")
    // Time is measured by `make bench` (release); here only what must hold in any build.
    #expect((sizes[.html] ?? .max) < 5_000_000, "HTML is \(sizes[.html] ?? 0) bytes")
  }
}
