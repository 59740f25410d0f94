import FleetPortsCore
import Testing

/// The whole probe output of a lab host (Fixtures/proc-ids/lab-003-root-ss-probe.out) through
/// the assembler and the analysis: owners named from the identity section, the process user
/// beside the socket's, and a UDP client socket told apart from a UDP server on a high port.
@Suite struct OwnerAnalysisTests {
  static func snapshot() throws -> HostSnapshot {
    let bytes = try FixtureFiles.bytes("proc-ids/lab-003-root-ss-probe.out")
    return SnapshotAssembler.assemble(ProbeOutput.parse(bytes, nonce: String(repeating: "0", count: 32)))
  }

  @Test func theResolverLikeSocketIsAClientAndTheHighPortServerAListener() throws {
    let snapshot = try Self.snapshot()
    #expect(snapshot.ephemeralPorts == PortRange(first: 32768, last: 60999))
    let clients = Listener.udpClients(in: snapshot)
    #expect(clients.map(\.text) == ["udp 0.0.0.0:58749"])
    #expect(clients.first?.ownerNames == ["metrics agent"])
    #expect(clients.first?.udpClient?.ownersOtherSockets == 1, "its TCP listener on 9100")
    let listeners = Listener.all(in: snapshot)
    #expect(!listeners.contains { $0.port == 58749 })
    #expect(listeners.contains { $0.port == 40123 && $0.ownerNames == ["stats relay"] }, "alone in its process: a server")
  }

  @Test func aDaemonThatDroppedRootShowsItsUserAndTheSocketsBeside() throws {
    let listeners = Listener.all(in: try Self.snapshot())
    let redis = try #require(listeners.first { $0.port == 6379 })
    #expect(redis.user == "nobody")
    #expect(redis.socketUser == "root")
    #expect(redis.owners?.first?.unit == "fplab-003-redis-server.service")
    #expect(redis.described.contains("user nobody, socket uid 0 (root)"), "\(redis.described)")
    let sshd = try #require(listeners.first { $0.port == 22 })
    #expect(sshd.user == "root" && sshd.socketUser == nil)
  }

  @Test func theAnalysisStoresClientsApartAndCountsThemNowhere() throws {
    let snapshot = try Self.snapshot()
    var host = HostResult(name: "lab-003", address: "10.200.0.13", port: 22, user: "root", groups: [], status: .ok, snapshot: snapshot)
    host.durationSeconds = 1
    let result = ExposureAnalysis.analyze([host], policy: nil, today: PolicyDate.epoch)
    #expect(result.udpClients[0]?.map(\.text) == ["udp 0.0.0.0:58749"])
    #expect(!(result.listeners[0] ?? []).contains { $0.port == 58749 })
    #expect(!result.aggregate.ports.contains { $0.port == 58749 })
    #expect(!result.findings.contains { $0.socket?.port == 58749 })
  }
}
