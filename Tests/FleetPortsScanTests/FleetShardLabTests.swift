import Dispatch
import FleetPortsCore
import Foundation
import LabSupport
import Testing

/// A fleet scanned in two shards by two `fleetports scan --shard K/2` processes at once into one
/// real PostgreSQL, put back together by `report --fleet` and compared by `diff --fleet`.
@Suite(.labFleet, .localPostgres) struct FleetShardLabTests {
  /// The built command with the server's password in its environment (never on its command line).
  static func fleetports(_ arguments: [String], server: LocalPostgres) throws -> (status: Int32, stdout: String, stderr: String) {
    let environment = ProcessInfo.processInfo.environment.merging(server.environment) { _, new in new }
    let ran = try ChildProcess.run([FleetPortsCLI.path] + arguments, environment: environment, timeout: .seconds(600))
    return (ran.status, ran.stdoutText, ran.stderrText)
  }

  /// Every shard `1/count` … `count/count` scanned at once, each its own process; their exit codes.
  static func scanShards(_ count: Int, lab: LabFleet, server: LocalPostgres, dir: String, round: String) -> [Int32] {
    let codes = Codes(count)
    DispatchQueue.concurrentPerform(iterations: count) { index in
      let ran = try? fleetports(
        [
          "scan", lab.inventoryPath, "--shard", "\(index + 1)/\(count)", "--fleet", "lab", "--db", server.url(), "--out",
          "\(dir)/\(round)-\(index + 1)", "--known-hosts", lab.knownHostsPath, "--identity", lab.identityPath, "--ssh-config", "/dev/null",
          "--timeout", "10",
        ], server: server)
      codes.set(index, ran?.status ?? -1)
    }
    return codes.values
  }

  /// Each host's listeners as `tcp 0.0.0.0:22 sshd`, sorted: what must not change between a sharded and a whole scan.
  static func listeners(_ scan: ScanResult) -> [String: [String]] {
    Dictionary(
      scan.hosts.map { host in
        (host.name, host.analysedListeners.map { "\($0.text) \($0.ownerNames.joined(separator: ","))" }.sorted())
      }, uniquingKeysWith: { first, _ in first })
  }

  @Test func twoShardsMakeTheWholeFleetAndTheirDiffShowsOnlyTheChange() throws {
    let lab = try LabFleet.forTests()
    guard let changed = lab.host(index: 3) else { throw LabFleetError("the shard test needs a lab of at least 3 hosts") }
    let server = try LocalPostgres()
    defer { server.stop() }
    let dir = try LabScan.scratch()
    defer { try? FileManager.default.removeItem(atPath: dir) }

    let whole = try FleetPortsCLI.run([
      "scan", lab.inventoryPath, "--out", dir + "/whole", "--db", dir + "/whole.db", "--known-hosts", lab.knownHostsPath, "--identity",
      lab.identityPath, "--ssh-config", "/dev/null", "--timeout", "10",
    ])
    #expect(whole.status == 0, "\(whole.stdout)")
    #expect(Self.scanShards(2, lab: lab, server: server, dir: dir, round: "first") == [0, 0])

    let report = try Self.fleetports(["report", "--fleet", "lab", "--db", server.url(), "--out", dir + "/fleet"], server: server)
    #expect(report.status == 0, "\(report.stderr)")
    #expect(report.stdout.contains("Fleet lab: 2 shards"))
    let load = { (path: String) in try JSONDecoder().decode(ScanResult.self, from: Data(contentsOf: URL(fileURLWithPath: path))) }
    let merged = try load(dir + "/fleet/scan.json")
    let single = try load(dir + "/whole/scan.json")
    #expect(merged.hosts.map(\.name) == single.hosts.map(\.name), "every host exactly once")
    #expect(Set(merged.hosts.compactMap(\.shard)) == ["1/2", "2/2"])
    #expect(Self.listeners(merged) == Self.listeners(single))
    #expect(merged.fleetView?.warnings == [])
    let markdown = try String(contentsOfFile: dir + "/fleet/report.md", encoding: .utf8)
    #expect(markdown.contains("## Shards of fleet lab") && markdown.contains("· shard 1/2 · scanned "))

    // The mutation: one new listener on one host; then both shards scanned again.
    let opened = try HistoryLabTests.Listener(lab: lab, host: changed, address: "0.0.0.0", port: 18_093)
    defer { opened.stop() }
    #expect(Self.scanShards(2, lab: lab, server: server, dir: dir, round: "second") == [0, 0])
    let diff = try Self.fleetports(["diff", "--fleet", "lab", "--format", "json", "--db", server.url()], server: server)
    #expect(diff.status == 1, "changes found\n\(diff.stderr)")
    let changes = try JSONDecoder().decode(ScanChanges.self, from: Data(diff.stdout.utf8))
    let name = single.hosts.first { $0.address == changed.ipv4 }?.name ?? changed.ipv4
    #expect(changes.hosts.isEmpty)
    #expect(changes.listeners.map { "\($0.kind.rawValue) \($0.host) \($0.port.map(String.init) ?? "-")" } == ["new \(name) 18093"])
    for change in changes.findings where change.finding.ruleID != "peer-outlier" {
      #expect(change.finding.host == name && change.finding.socket?.port == 18_093, "unexpected: \(change)")
    }

    // The first run again: each shard's newest scan up to scan 2 (the first round stored 1 and 2).
    let first = try Self.fleetports(
      ["report", "--fleet", "lab", "--through", "2", "--db", server.url(), "--out", dir + "/run1"], server: server)
    #expect(first.status == 0, "\(first.stderr)")
    let firstRun = try load(dir + "/run1/scan.json")
    #expect(Set(firstRun.fleetView?.shards.compactMap(\.scanID) ?? []) == [1, 2])
    #expect(Self.listeners(firstRun) == Self.listeners(single))

    // A shard older than --max-shard-age is called out on stderr (the bound 1 s, the scans made
    // at least 1.5 s before).
    Thread.sleep(forTimeInterval: 1.5)
    let three = try Self.fleetports(
      ["report", "--fleet", "lab", "--db", server.url(), "--out", dir + "/stale", "--max-shard-age", "1s"], server: server)
    #expect(three.status == 0)
    #expect(three.stderr.contains("shard 1/2 is stale") && three.stderr.contains("shard 2/2 is stale"), "\(three.stderr)")
    let staleView = try load(dir + "/stale/scan.json").fleetView
    #expect(staleView?.shards.map(\.state) == [.stale, .stale])
  }

  /// Exit codes written from concurrent threads.
  final class Codes: @unchecked Sendable {
    private let lock = NSLock()
    private var codes: [Int32]
    init(_ count: Int) { codes = Array(repeating: -1, count: count) }
    func set(_ index: Int, _ code: Int32) { lock.withLock { codes[index] = code } }
    var values: [Int32] { lock.withLock { codes } }
  }
}
