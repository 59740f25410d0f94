import Testing

@testable import FleetPortsCore

/// Shards cut by a stable hash, and a fleet put back together from its shards' scans.
@Suite struct ShardSelectionTests {
  @Test func fnv1aMatchesThePublishedVectors() {
    // From the FNV reference (Fowler, Noll, Vo): 64-bit FNV-1a of "" and "a" and "foobar".
    #expect(ShardHash.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
    #expect(ShardHash.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
    #expect(ShardHash.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
  }

  @Test func everyHostLandsInExactlyOneShardAndTheSplitIsEvenEnough() {
    let names = (1...200).map { "10.200.\($0 / 200).\($0 % 200 + 10)" }
    let shards = (1...4).map { ShardSelection.hash(index: $0, count: 4) }
    for name in names { #expect(shards.filter { $0.contains(name: name, groups: []) }.count == 1, "\(name)") }
    let sizes = shards.map { shard in names.filter { shard.contains(name: $0, groups: []) }.count }
    #expect(sizes.allSatisfy { $0 >= 30 && $0 <= 70 }, "\(sizes)")
  }

  @Test func shardFlagsParseAndLabelAsStored() {
    #expect(ShardSelection.parse("2/4") == .hash(index: 2, count: 4))
    #expect(ShardSelection.parse("2/4")?.label == "2/4")
    for bad in ["0/4", "5/4", "4", "a/b", "1/0", "1/4/2", "-1/4", "1/5000"] { #expect(ShardSelection.parse(bad) == nil, "\(bad)") }
    #expect(ShardSelection.group("eu").label == "group:eu")
    #expect(ShardSelection.group("eu").contains(name: "x", groups: ["db", "eu"]))
    #expect(ShardSelection.hashLabel("group:eu") == nil)
  }
}

@Suite struct FleetMergeTests {
  static let options = ScanOptions(
    inventory: "lab.txt", method: .auto, sudo: false, parallel: 1, timeoutSeconds: 1, hostKeyChecking: "strict")

  /// A stored shard scan of `names` (failed hosts: the merge only moves hosts), one finding per host.
  static func shard(_ label: String?, id: Int64, epoch: Double, _ names: [String]) -> FleetMerge.ShardScan {
    let second = Int(epoch) % 60
    let started = "2026-11-30T00:00:\(second < 10 ? "0" : "")\(second)Z"
    var scan = ScanResult(
      toolVersion: "t", startedAt: started, finishedAt: started, interrupted: false, options: options,
      hosts: names.map { HostResult(name: $0, address: $0, port: 22, user: "root", groups: [], status: .failed) })
    scan.findings = names.map { Finding(ruleID: "r", severity: .high, title: "t", host: $0, socket: nil, evidence: "#\(id)", fix: "") }
    scan.options.shard = label
    let summary = StoredScan(
      id: id, startedAt: started, startedEpoch: epoch, finishedAt: started, inventory: "lab.txt", interrupted: false, hostsOK: 0,
      hostsFailed: names.count, hostsNotScanned: 0, listeners: 0, findings: [:], fleet: "lab", shard: label)
    return (summary, scan)
  }

  @Test func everyHostOnceMarkedWithItsShardAndScanTime() throws {
    let merged = try #require(
      FleetMerge.merge(
        fleet: "lab", shards: [Self.shard("2/2", id: 8, epoch: 1010, ["b", "d"]), Self.shard("1/2", id: 7, epoch: 1000, ["a", "c"])],
        now: 1020,
        maxAgeSeconds: 60))
    #expect(merged.hosts.map(\.name) == ["a", "b", "c", "d"])
    #expect(merged.hosts.map { $0.shard ?? "" } == ["1/2", "2/2", "1/2", "2/2"])
    #expect(merged.hosts[0].scannedAt == "2026-11-30T00:00:40Z")
    #expect(merged.findings.map(\.host) == ["a", "b", "c", "d"])
    #expect(merged.fleetView?.shards.map(\.label) == ["1/2", "2/2"])
    #expect(merged.fleetView?.warnings == [])
    #expect(merged.startedAt == "2026-11-30T00:00:40Z")
    #expect(merged.options.fleet == "lab")
  }

  @Test func aMissingShardAndAStaleOneAreCalledOut() throws {
    let merged = try #require(
      FleetMerge.merge(
        fleet: "lab", shards: [Self.shard("1/4", id: 1, epoch: 1000, ["a"]), Self.shard("3/4", id: 2, epoch: 9000, ["c"])], now: 9010,
        maxAgeSeconds: 3600))
    let view = try #require(merged.fleetView)
    #expect(view.shards.map { "\($0.label) \($0.state.rawValue)" } == ["1/4 stale", "2/4 missing", "3/4 current", "4/4 missing"])
    #expect(view.warnings.count == 3)
    #expect(view.warnings[0].contains("shard 1/4 is stale") && view.warnings[0].contains("2h 13m ago"))
    #expect(view.warnings.contains { $0.hasPrefix("shard 2/4 is missing") })
    #expect(merged.analysisNotes.filter { $0.hasPrefix("fleet lab: ") }.count == 3)
  }

  @Test func aHostInTwoShardsIsTakenFromTheNewerScanAndAnOldSplitIsLeftOut() throws {
    let merged = try #require(
      FleetMerge.merge(
        fleet: "lab",
        shards: [
          Self.shard("group:web", id: 1, epoch: 1000, ["a", "b"]), Self.shard("group:db", id: 2, epoch: 1100, ["b", "c"]),
        ], now: 1100, maxAgeSeconds: nil))
    #expect(merged.hosts.map { "\($0.name) \($0.shard ?? "")" } == ["a group:web", "b group:db", "c group:db"])
    #expect(merged.findings.map(\.evidence) == ["#1", "#2", "#2"])
    #expect(merged.fleetView?.warnings == ["host b is in two shards (scans #2 and #1); the newer scan's is shown"])
    let resplit = try #require(
      FleetMerge.merge(
        fleet: "lab", shards: [Self.shard("1/2", id: 1, epoch: 1000, ["a"]), Self.shard("1/1", id: 2, epoch: 1100, ["a", "b"])], now: 1100,
        maxAgeSeconds: nil))
    #expect(resplit.hosts.map(\.name) == ["a", "b"])
    #expect(resplit.fleetView?.shards.map(\.label) == ["1/1"])
    #expect(resplit.fleetView?.warnings.first?.contains("left out") == true)
  }

  @Test func nothingToMergeIsNil() {
    #expect(FleetMerge.merge(fleet: "lab", shards: [], now: 0, maxAgeSeconds: nil) == nil)
  }
}
