import FleetPortsCore
import Foundation
import Testing

/// The diff on a real lab scan (Fixtures/analysis/lab8-scan.json) changed the ways a fleet changes.
@Suite struct ScanDiffTests {
  static func labScan() throws -> ScanResult {
    let scan = try JSONDecoder().decode(ScanResult.self, from: Data(try FixtureFiles.bytes("analysis/lab8-scan.json")))
    return try analysed(scan)
  }

  /// The diff reads the listeners the analysis made, so a changed snapshot is analysed again,
  /// as the next scan would be.
  static func analysed(_ scan: ScanResult) throws -> ScanResult {
    scan.analyzed(policy: nil, today: try #require(PolicyDate(year: 2026, month: 11, day: 25)))
  }

  static func index(_ scan: ScanResult, _ name: String) throws -> Int {
    try #require(scan.hosts.firstIndex { $0.name == name })
  }

  @Test func theSameScanTwiceHasNoChanges() throws {
    let scan = try Self.labScan()
    #expect(ScanDiff.changes(from: scan, to: scan, oldLabel: "1", newLabel: "2").isEmpty)
  }

  @Test func restartsWithNewPIDsAreNoChange() throws {
    let old = try Self.labScan()
    var new = old
    for h in new.hosts.indices {
      guard var snapshot = new.hosts[h].snapshot else { continue }
      for s in snapshot.sockets.indices {
        for p in snapshot.sockets[s].processes.indices { snapshot.sockets[s].processes[p].pid = (snapshot.sockets[s].processes[p].pid ?? 0) + 1000 }
      }
      new.hosts[h].snapshot = snapshot
    }
    new = try Self.analysed(new)
    #expect(new.hosts != old.hosts, "the pids changed")
    #expect(ScanDiff.changes(from: old, to: new, oldLabel: "1", newLabel: "2").isEmpty)
  }

  /// The lab scan with an identity for every owner, as a probe that read them would give:
  /// `executable(name)` decides each owner's binary, `shift` moves every pid (a restart).
  static func withIdentities(_ scan: ScanResult, shift: Int32 = 0, executable: (String) -> String) throws -> ScanResult {
    var copy = scan
    for h in copy.hosts.indices {
      guard var snapshot = copy.hosts[h].snapshot else { continue }
      var identities: [Int32: ProcessIdentity] = [:]
      for s in snapshot.sockets.indices {
        for p in snapshot.sockets[s].processes.indices {
          guard let pid = snapshot.sockets[s].processes[p].pid else { continue }
          let name = snapshot.sockets[s].processes[p].name
          snapshot.sockets[s].processes[p].pid = pid + shift
          identities[pid + shift] = ProcessIdentity(
            pid: pid + shift, comm: name, executable: executable(name), executableDeleted: false,
            cgroupLines: ["0::/system.slice/\(name).service"])
        }
      }
      snapshot.processes = identities.values.sorted { $0.pid < $1.pid }
      copy.hosts[h].snapshot = snapshot
    }
    return try analysed(copy)
  }

  @Test func withIdentitiesARestartIsNoChangeAndAnotherBinaryIsAnOwnerChange() throws {
    let binary = { (name: String) in "/usr/sbin/" + name }
    let old = try Self.withIdentities(Self.labScan(), executable: binary)
    let restarted = try Self.withIdentities(Self.labScan(), shift: 1000, executable: binary)
    #expect(restarted.hosts != old.hosts, "the pids changed")
    #expect(ScanDiff.changes(from: old, to: restarted, oldLabel: "1", newLabel: "2").isEmpty)

    // Same comm, another executable: the diff keys owners by executable, not by name.
    let replaced = try Self.withIdentities(Self.labScan()) { name in name == "redis-server" ? "/tmp/.x/redis-server" : binary(name) }
    let changes = ScanDiff.changes(from: old, to: replaced, oldLabel: "1", newLabel: "2")
    let changed = changes.listeners.filter { $0.kind == .ownerChanged }
    #expect(!changed.isEmpty && changed.allSatisfy { $0.port == 6379 }, "\(changes.listeners)")
    let after = try #require(changed.first?.after.first?.owners)
    #expect(after.map(\.description) == ["/tmp/.x/redis-server (redis-server.service)"])
  }

  @Test func everyKindOfChangeIsFoundAndNothingElse() throws {
    let old = try Self.labScan()
    var new = old
    // lab-002: postgres widened from 127.0.0.1:5432 to 0.0.0.0:5432.
    let two = try Self.index(new, "lab-002")
    var snapshot = try #require(new.hosts[two].snapshot)
    let postgres = try #require(snapshot.sockets.firstIndex { $0.isListening && $0.local?.port == 5432 })
    snapshot.sockets[postgres].local?.address = .wildcard(.ipv4)
    // lab-002: a new listener, and its dnsmasq dropped (closed).
    var extra = snapshot.sockets[postgres]
    extra.local = Endpoint(address: .ipv4(IPv4Address(10, 200, 0, 12)), port: 9999)
    extra.processes = [OwningProcess(name: "newcomer", pid: 4242, fd: 3)]
    snapshot.sockets.append(extra)
    snapshot.sockets.removeAll { $0.proto == .udp && $0.local?.port == 53 }
    new.hosts[two].snapshot = snapshot
    // lab-003: redis now owned by another process name.
    let three = try Self.index(new, "lab-003")
    var redisHost = try #require(new.hosts[three].snapshot)
    for i in redisHost.sockets.indices where redisHost.sockets[i].local?.port == 6379 && redisHost.sockets[i].isListening {
      redisHost.sockets[i].processes = [OwningProcess(name: "keydb-server", pid: 1, fd: 5)]
    }
    new.hosts[three].snapshot = redisHost
    // lab-004 stops answering; lab-009 joins.
    let four = try Self.index(new, "lab-004")
    new.hosts[four].status = .failed
    new.hosts[four].snapshot = nil
    new.hosts[four].failure = HostResult.Failure(code: .timeout(phase: "connect"), message: "timed out in the connect phase")
    var joined = new.hosts[0]
    joined.name = "lab-009"
    new.hosts.append(joined)
    new = try Self.analysed(new)
    // Findings: the old ones, then one resolved and one new (the re-analysis's own are not the point here).
    new.findings = old.findings
    let resolved = try #require(new.findings.first { $0.suppressed == nil })
    new.findings.removeAll { $0 == resolved }
    let fresh = Finding(ruleID: "public-not-allowed", severity: .medium, title: "t", host: "lab-002", socket: nil, evidence: "e", fix: "f")
    new.findings.append(fresh)

    let changes = ScanDiff.changes(from: old, to: new, oldLabel: "1", newLabel: "2")
    // The history hands the diff the old scan's diffBasis(), not the whole scan: same changes;
    // so does a version 1 basis (the scan cut down) of older histories.
    #expect(ScanDiff.changes(from: old.diffBasis(), to: new.diffBasis(), oldLabel: "1", newLabel: "2") == changes)
    #expect(ScanDiff.changes(from: DiffBasis(old.legacyDiffBasis()), to: new.diffBasis(), oldLabel: "1", newLabel: "2") == changes)
    // And a basis survives its JSON: the history stores it as bytes.
    let stored = try JSONDecoder().decode(DiffBasis.self, from: Data(try ScanJSON.encode(old.diffBasis())))
    #expect(ScanDiff.changes(from: stored, to: new.diffBasis(), oldLabel: "1", newLabel: "2") == changes)
    #expect(Set(changes.hosts.map { "\($0.kind.rawValue) \($0.host)" }) == ["now-unreachable lab-004", "appeared lab-009"])
    let listeners = Set(changes.listeners.map { "\($0.kind.rawValue) \($0.host) \($0.proto.rawValue)/\($0.port ?? 0)" })
    #expect(listeners == ["bind-widened lab-002 tcp/5432", "new lab-002 tcp/9999", "closed lab-002 udp/53", "owner-changed lab-003 tcp/6379"])
    let widened = try #require(changes.listeners.first { $0.kind == .bindWidened })
    #expect(widened.before.map(\.address) == ["127.0.0.1"])
    #expect(widened.before.first?.reach == .loopback)
    #expect(widened.after.map(\.address) == ["0.0.0.0"])
    #expect(widened.after.first?.reach == .privateNetwork)
    #expect(Set(changes.findings.map { "\($0.kind.rawValue) \($0.finding.ruleID) \($0.finding.host)" }) == [
      "resolved \(resolved.ruleID) \(resolved.host)", "new public-not-allowed lab-002",
    ])
    // `fleetports diff --format json` is this value encoded; it must read back the same.
    let data = try JSONEncoder().encode(changes)
    #expect(try JSONDecoder().decode(ScanChanges.self, from: data) == changes)
  }
}
