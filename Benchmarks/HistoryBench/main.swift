import FleetPortsCore
import FleetPortsPostgres
import FleetPortsStore
import Foundation

// The scan history (issue 22): storing a 1,000-host scan in SQLite and in PostgreSQL, and a
// fleet view merged from 4 shards of 250 hosts. PostgreSQL is the one `FLEETPORTS_PG_URL` names
// (make bench starts one with tools/with-postgres.sh; PGPASSWORD from it too); without it that
// line says skipped. Each figure is the best of 3 rounds.

/// A 1,000-host scan grown from the report fixture (real lab snapshots), analysed as a scan is.
func thousandHostScan() throws -> ScanResult {
  let data = try Data(contentsOf: URL(fileURLWithPath: "Tests/FleetPortsReportTests/Fixtures/fleet.scan.json"))
  let base = try JSONDecoder().decode(ScanResult.self, from: data)
  let templates = base.hosts.filter { $0.status == .ok }
  var scan = base
  scan.hosts = (0..<1000).map { index in
    var host = templates[index % templates.count]
    host.name = "host-\(index).dc\(index % 7).example"
    host.address = "10.\(index / 250).\(index % 250).\(index % 200 + 10)"
    return host
  }
  scan.options.inventory = "bench.txt"
  return scan.analyzed(policy: nil, today: PolicyDate.epoch)
}

/// Best of `rounds` wall times of `body`, in seconds.
func best(_ rounds: Int = 3, _ body: () throws -> Void) rethrows -> Double {
  var times: [Double] = []
  for _ in 0..<rounds {
    let elapsed = try ContinuousClock().measure(body)
    times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
  }
  return times.min() ?? 0
}

func format(_ seconds: Double) -> String { String(Int((seconds * 1000).rounded())) + " ms" }

let scan = try thousandHostScan()
let listeners = scan.hosts.reduce(0) { $0 + $1.analysedListeners.count }
print(
  "history: a 1,000-host scan (\(listeners) listeners, \(scan.findings.count) findings, scan.json \(try ScanJSON.encode(scan).count / 1024) KiB)"
)

let folder = NSTemporaryDirectory() + "fleetports-history-bench-\(UUID().uuidString)"
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
defer { try? FileManager.default.removeItem(atPath: folder) }
let sqlite = try ScanStore(path: folder + "/fleetports.db")
print("  stored in SQLite: \(format(try best { _ = try sqlite.save(scan, amend: nil) }))")

let environment = ProcessInfo.processInfo.environment
var postgres: PostgresStore?
if let text = environment["FLEETPORTS_PG_URL"] {
  let url = try PostgresURL(text, environment: environment)
  let store = try PostgresStore(
    url: url, password: PostgresPassword.lookup(url, environment: environment, home: NSHomeDirectory()).password)
  postgres = store
  print("  stored in PostgreSQL (\(url.host), one transaction): \(format(try best { _ = try store.save(scan, amend: nil) }))")
} else {
  print("  stored in PostgreSQL: skipped (no FLEETPORTS_PG_URL; `make bench` starts a server)")
}

// The fleet view: the same hosts as 4 hash shards of ~250, stored, read back and merged.
var shardIDs: [Int64] = []
let shards = (1...4).map { index -> ScanResult in
  var part = scan
  let selection = ShardSelection.hash(index: index, count: 4)
  part.hosts = scan.hosts.filter { selection.contains(name: $0.name, groups: $0.groups) }
  part.findings = scan.findings.filter { finding in part.hosts.contains { $0.name == finding.host } }
  part.options.fleet = "bench"
  part.options.shard = selection.label
  return part
}
print("  shards: \(shards.map { String($0.hosts.count) }.joined(separator: " + ")) hosts")
let history: any HistoryStore = postgres ?? sqlite
for part in shards { shardIDs.append(try history.save(part, amend: nil).id) }
let now = Date().timeIntervalSince1970
var merged: ScanResult?
let mergeOnly = try best {
  let stored = try shardIDs.map { id in (try history.summary(id: id), shards[shardIDs.firstIndex(of: id) ?? 0]) }
  merged = FleetMerge.merge(fleet: "bench", shards: stored, now: now, maxAgeSeconds: nil)
}
let readAndMerge = try best {
  let newest = try history.shardScans(fleet: "bench", rank: 0, throughID: nil)
  let stored = try newest.map { ($0, try history.scan(id: $0.id)) }
  merged = FleetMerge.merge(fleet: "bench", shards: stored, now: now, maxAgeSeconds: nil)
}
print(
  "  fleet view of 4 × 250 hosts (\(merged?.hosts.count ?? 0) hosts): merge \(format(mergeOnly)); read 4 scans from \(postgres == nil ? "SQLite" : "PostgreSQL") and merge \(format(readAndMerge))"
)
