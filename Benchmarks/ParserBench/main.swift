// Parser throughput on generated captures: `make bench` runs this in a release build.
// Targets (issue 2): /proc/net/tcp ≥ 200 MB/s, ss ≥ 100 MB/s on one core.
import FleetPortsCore
import FleetPortsReport
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

// `fleetports-bench controller SCAN_JSON`: the controller's encoding, decoding and rendering
// of a real scan, per host (ControllerBench); nothing else runs.
if CommandLine.arguments.count >= 3, CommandLine.arguments[1] == "controller" {
  do {
    try ControllerBench.run(CommandLine.arguments[2], only: CommandLine.arguments.count > 3 ? CommandLine.arguments[3] : nil)
    exit(0)
  } catch {
    print("fleetports-bench: \(error)")
    exit(1)
  }
}

// `fleetports-bench probe-script METHOD` prints the probe a scan sends with that method, for
// lab/bench-probe.sh to time on a lab host; nothing else runs.
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "probe-script",
  let method = ProbeMethod(rawValue: CommandLine.arguments[2])
{
  print(ProbeScript.make(nonce: String(repeating: "0", count: 32), method: method), terminator: "")
  exit(0)
}

/// Deterministic synthetic captures of `count` sockets.
enum SyntheticCapture {
  static func procNetTCP(count: Int) -> [UInt8] {
    var text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    text.reserveCapacity(count * 160)
    for i in 0..<count {
      let localPort = String(1024 + i % 60000, radix: 16, uppercase: true)
      let remotePort = String(30000 + i % 30000, radix: 16, uppercase: true)
      let state = i % 10 == 0 ? "0A" : "01"
      let slot = String(i).leftPad(4)
      text += "\(slot): 0100007F:\(localPort.leftPad(4, with: "0")) 0200000A:\(remotePort.leftPad(4, with: "0")) \(state) 00000000:00000000 00:00000000 00000000  1000        0 \(100000 + i) 1 0000000000000000 20 4 30 10 -1                     \n"
    }
    return Array(text.utf8)
  }

  static func ssTanp(count: Int) -> [UInt8] {
    var text = "State      Recv-Q Send-Q        Local Address:Port          Peer Address:Port Process\n"
    text.reserveCapacity(count * 130)
    for i in 0..<count {
      let state = i % 10 == 0 ? "LISTEN" : "ESTAB "
      text += "\(state)     0      0           10.0.\(i % 256).\(i / 256 % 256):\(1024 + i % 60000)          10.1.2.3:\(30000 + i % 30000)  users:((\"nginx: worker\",pid=\(1000 + i % 5000),fd=\(3 + i % 100)))\n"
    }
    return Array(text.utf8)
  }
}

extension SyntheticCapture {
  /// `ss -tuanp` (iproute2 6.x): a Netid column, TCP and UDP rows, users:(…) owners.
  static func ssTuanp(count: Int) -> [UInt8] {
    var text = "Netid State      Recv-Q Send-Q        Local Address:Port          Peer Address:Port Process\n"
    text.reserveCapacity(count * 136)
    for i in 0..<count {
      let (netid, state, peer) =
        i % 20 == 0 ? ("udp", "UNCONN", "0.0.0.0:*") : ("tcp", i % 10 == 0 ? "LISTEN" : "ESTAB ", "10.1.2.3:\(30000 + i % 30000)")
      text += "\(netid)   \(state)     0      0           10.0.\(i % 256).\(i / 256 % 256):\(1024 + i % 60000)          \(peer)  users:((\"nginx: worker\",pid=\(1000 + i % 5000),fd=\(3 + i % 100)))\n"
    }
    return Array(text.utf8)
  }
}

// `fleetports-bench --write-captures DIR`: the 200,000-socket captures as files, for timing
// `fleetports parse` end to end beside jc (lab/bench-parse.sh), then exit.
if let flag = CommandLine.arguments.firstIndex(of: "--write-captures"), flag + 1 < CommandLine.arguments.count {
  let folder = CommandLine.arguments[flag + 1]
  try Data(SyntheticCapture.procNetTCP(count: 200_000)).write(to: URL(fileURLWithPath: folder + "/proc-net-tcp"))
  try Data(SyntheticCapture.ssTuanp(count: 200_000)).write(to: URL(fileURLWithPath: folder + "/ss-tuanp"))
  exit(0)
}

extension String {
  func leftPad(_ width: Int, with pad: Character = " ") -> String {
    count >= width ? self : String(repeating: pad, count: width - count) + self
  }
}

/// Best of `rounds` runs, in MB/s (10^6 bytes per second).
func measure(_ name: String, bytes: [UInt8], rounds: Int = 5, target: Double, _ parse: ([UInt8]) -> Int) -> Bool {
  let clock = ContinuousClock()
  var best = Duration.seconds(1000)
  var sockets = 0
  for _ in 0..<rounds {
    let elapsed = clock.measure { sockets = parse(bytes) }
    best = min(best, elapsed)
  }
  let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
  let rate = Double(bytes.count) / seconds / 1e6
  let verdict = rate >= target ? "ok" : "BELOW TARGET"
  print("\(name.leftPad(0))  \(String(format: rate)) MB/s  (\(bytes.count / 1_000_000) MB, \(sockets) sockets, best of \(rounds): \(String(format: seconds * 1000)) ms; target \(Int(target)) MB/s: \(verdict))")
  return rate >= target
}

// swift-format-ignore: AlwaysUseLowerCamelCase
// Reads as String(format:) where the figures are printed.
func String(format value: Double) -> String {
  let scaled = (value * 10).rounded() / 10
  return "\(scaled)"
}

let count = 200_000
let proc = SyntheticCapture.procNetTCP(count: count)
let ss = SyntheticCapture.ssTanp(count: count)
print("fleetports parser throughput, \(count) sockets each, release build, one core")
let procOK = measure("proc-net-tcp", bytes: proc, target: 200) { ProcNetSocketParser.parse($0, proto: .tcp, family: .ipv4).sockets.count }
let ssOK = measure("ss -tanp    ", bytes: ss, target: 100) { SSParser.parse($0).sockets.count }
let netstatText = Array(("Active Internet connections (servers and established)\nProto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name\n" + (0..<count).map { i in "tcp        0      0 10.0.\(i % 256).\(i / 256 % 256):\(1024 + i % 60000)         10.1.2.3:\(30000 + i % 30000)          ESTABLISHED \(1000 + i % 5000)/nginx\n" }.joined()).utf8)
_ = measure("netstat     ", bytes: netstatText, target: 0) { NetstatParser.parse($0).sockets.count }
if !(procOK && ssOK) { print("note: a parser is below its target") }

// Reports: a 1,000-host scan grown from the report fixture (real lab snapshots), every format.
// Target (issue 7): under 1 s for all formats together, HTML under 5 MB.
func thousandHostScan() throws -> ScanResult {
  let data = try Data(contentsOf: URL(fileURLWithPath: "Tests/FleetPortsReportTests/Fixtures/fleet.scan.json"))
  let base = try JSONDecoder().decode(ScanResult.self, from: data)
  let templates = base.hosts.filter { $0.status == .ok && !$0.name.contains("<") }
  var scan = base
  scan.hosts = []
  scan.findings = []
  for index in 0..<1000 {
    var host = templates[index % templates.count]
    host.name = "host-\(index).dc\(index % 7).example"
    host.address = "10.\(index / 250).\(index % 250).\(index % 200 + 10)"
    scan.hosts.append(host)
    for (rule, severity) in [("datastore-exposed", Severity.high), ("udp-amplifier", .medium), ("close-wait-pileup", .low)] {
      scan.findings.append(Finding(
        ruleID: rule, severity: severity, title: "\(rule) on \(host.name)", host: host.name,
        socket: FindingSocket(proto: .tcp, address: "0.0.0.0", port: UInt16(5000 + index % 100), processes: ["svc"], user: "root", reach: .public),
        evidence: "evidence \(index)", fix: "fix it"))
    }
  }
  // As a scan is written now: the analysis's listeners and aggregate stored with it (the
  // reports read them), the hand-made findings kept.
  let findings = scan.findings
  scan = scan.analyzed(policy: nil, today: PolicyDate.epoch)
  scan.findings = findings
  return scan
}

let scan = try thousandHostScan()
_ = try ReportWriter.render(scan, format: .html)  // templates parsed once
let clock = ContinuousClock()
var line: [String] = []
for format in ReportFormat.allCases {
  var size = 0
  let elapsed = try clock.measure { size = try ReportWriter.render(scan, format: format).count }
  line.append("\(format.rawValue) \(Int(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)) ms / \(size / 1024) KiB")
}
print("reports, 1,000 hosts, one at a time: " + line.joined(separator: ", "))
let folder = NSTemporaryDirectory() + "fleetports-bench-\(UUID().uuidString)"
let writeAll = try clock.measure { _ = try ReportWriter.write(scan, formats: ReportFormat.allCases, to: folder) }
try? FileManager.default.removeItem(atPath: folder)
let seconds = Double(writeAll.components.seconds) + Double(writeAll.components.attoseconds) / 1e18
print("reports, 1,000 hosts, all formats rendered on both cores and written: \(String(format: seconds)) s (target 1 s: \(seconds < 1 ? "ok" : "ABOVE TARGET"))")

// Firewall (issue 19): a 20,000-rule kube-proxy-like ruleset, every listener of a host judged.
try FirewallBench.run()
