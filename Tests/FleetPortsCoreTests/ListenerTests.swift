import FleetPortsCore
import Foundation
import Testing

/// The listener value: made once by the analysis, and everything downstream agrees with it.
/// On a real scan (Fixtures/analysis/netns-root-scan.json) with the real raw sockets of
/// proc/debian12-root-net-raw{,6}.out added: raw sockets are where the consumers used to
/// disagree (the reports gave them a reach, the aggregate did not).
@Suite struct ListenerTests {
  static func netnsScan() throws -> ScanResult {
    var scan = try JSONDecoder().decode(ScanResult.self, from: Data(try FixtureFiles.bytes("analysis/netns-root-scan.json")))
    let index = try #require(scan.hosts.firstIndex { $0.snapshot != nil })
    for (file, family) in [("proc/debian12-root-net-raw.out", IPFamily.ipv4), ("proc/debian12-root-net-raw6.out", .ipv6)] {
      let parsed = ProcNetSocketParser.parse(try FixtureFiles.bytes(file), proto: .raw, family: family)
      scan.hosts[index].snapshot?.sockets += parsed.sockets
    }
    return scan.analyzed(policy: nil, today: try #require(PolicyDate("2026-11-29")))
  }

  @Test func theAnalysisStoresEveryListenerOfEveryScannedHost() throws {
    let scan = try Self.netnsScan()
    for host in scan.hosts where host.status == .ok {
      let listeners = try #require(host.listeners)
      let snapshot = try #require(host.snapshot)
      #expect(listeners.count == snapshot.listeners.count)
      #expect(listeners == Listener.all(in: snapshot))
    }
    let texts = Set(scan.hosts.flatMap { $0.listeners ?? [] }.map(\.text))
    #expect(texts.isSuperset(of: ["tcp 0.0.0.0:6379", "tcp 0.0.0.0:5432", "udp 127.0.0.1:123", "raw 0.0.0.0:1", "raw [::]:58"]))
  }

  @Test func reachHasOneDefinitionRawSocketsIncluded() throws {
    let scan = try Self.netnsScan()
    let aggregate = try #require(scan.aggregate)
    for host in scan.hosts where host.status == .ok {
      let listeners = host.analysedListeners
      #expect(listeners.filter { $0.proto == .unix }.allSatisfy { $0.reach == nil })
      #expect(listeners.filter { $0.proto != .unix }.allSatisfy { $0.reach != nil })
      let counts = try #require(aggregate.reachByHost[host.name])
      for reach in ReachClass.allCases {
        #expect(counts[reach] == listeners.filter { $0.reach?.reach == reach }.count, "\(host.name) \(reach)")
      }
    }
    let raw = try #require(scan.hosts.flatMap(\.analysedListeners).first { $0.proto == .raw && $0.socket.family == .ipv4 })
    #expect(raw.reach?.reach == .public, "the namespace has 192.0.2.10, a public-class address")
    // A raw socket's number is an IP protocol, not a port: no column in the port matrix.
    #expect(!aggregate.ports.contains { $0.proto == .raw })
  }

  @Test func listenersRoundTripThroughScanJSONAndOldFilesStillRead() throws {
    let scan = try Self.netnsScan()
    let decoded = try JSONDecoder().decode(ScanResult.self, from: Data(try ScanJSON.encode(scan)))
    #expect(decoded == scan)
    // A scan.json from before listeners were stored: the same values, worked out from the snapshot.
    let old = try JSONDecoder().decode(ScanResult.self, from: Data(try FixtureFiles.bytes("analysis/netns-root-scan.json")))
    let host = try #require(old.hosts.first { $0.snapshot != nil })
    #expect(host.listeners == nil)
    #expect(host.analysedListeners == Listener.all(in: try #require(host.snapshot)))
  }

  @Test func theServiceIsStoredByNameAndReadBackFromTheCatalog() throws {
    let scan = try Self.netnsScan()
    let redis = try #require(scan.hosts.flatMap(\.analysedListeners).first { $0.text == "tcp 0.0.0.0:6379" })
    let json = String(decoding: try StreamingJSONEncoder.encode(redis.service), as: UTF8.self)
    #expect(json.contains("\"name\" : \"redis\"") || json.contains("\"name\": \"redis\""), "\(json)")
    #expect(!json.contains("tcpPorts"), "the catalog entry is not repeated per listener")
    let back = try JSONDecoder().decode(ServiceIdentification.self, from: Data(json.utf8))
    #expect(back == redis.service)
  }
}
