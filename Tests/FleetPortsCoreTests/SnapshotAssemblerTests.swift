import FleetPortsCore
import Testing

/// The assembler on probe output built from the real captures in Fixtures/consistency.
@Suite struct SnapshotAssemblerTests {
  static func section(_ name: String, _ file: String?, exitCode: Int32? = 0, truncated: Bool = false, cut: Int? = nil) throws -> ProbeSection {
    var body = try file.map { try FixtureFiles.bytes("consistency/\($0)") } ?? []
    if let cut { body = Array(body.prefix(cut)) }
    return ProbeSection(name: name, body: body, exitCode: exitCode, truncated: truncated, complete: true)
  }

  static func output(tcp: ProbeSection) throws -> ProbeOutput {
    var meta = "method=ss\neuid=0\nuid=0\nhostname=fixture\nmachine=x86_64\n"
    meta += ""
    return ProbeOutput(sections: [
      ProbeSection(name: "meta", body: Array(meta.utf8), exitCode: 0, truncated: false, complete: true),
      tcp,
      try section("proc-net-tcp6", "proc-net-tcp6.out"),
      try section("proc-net-udp", "proc-net-udp.out"),
      try section("proc-net-udp6", "proc-net-udp6.out"),
      try section("proc-net-raw", nil),
      try section("proc-net-raw6", nil),
      try section("proc-net-unix", "proc-net-unix.out"),
      try section("proc-net-netstat", nil),
      try section("proc-net-snmp", nil),
      try section("ss-tuanp", "ss-tuanp.out"),
      try section("ss-xlp", "ss-xap.out"),
    ], finished: true)
  }

  @Test func ownersComeFromSSAndSocketsFromTheKernel() throws {
    let snapshot = SnapshotAssembler.assemble(try Self.output(tcp: Self.section("proc-net-tcp", "proc-net-tcp.out")))
    #expect(!snapshot.provenance.isDegraded, "\(snapshot.provenance.degraded)")
    let web = try #require(snapshot.listeners.first { $0.local?.port == 8080 })
    #expect(web.processes.map(\.name) == ["my \"web\" (x"])
    let shared = try #require(snapshot.listeners.first { $0.local?.port == 7040 })
    #expect(shared.processes.count == 2)
    #expect(snapshot.provenance.attribution == .complete)
    // ss printed `*:7020` (dual-stack) and `[::]:7012` (V6ONLY); /proc/net alone shows both as `::`.
    #expect(snapshot.listeners.first { $0.local?.port == 7020 && $0.proto == .tcp }?.ipv6Only == false)
    #expect(snapshot.listeners.first { $0.local?.port == 7012 && $0.proto == .tcp }?.ipv6Only == true)
  }

  @Test func aTruncatedKernelTableIsStillReadAndMarksTheHostDegraded() throws {
    // Cut /proc/net/tcp after its header and a few rows, as the section cap would.
    let cut = try Self.section("proc-net-tcp", "proc-net-tcp.out", exitCode: nil, truncated: true, cut: 600)
    let snapshot = SnapshotAssembler.assemble(try Self.output(tcp: cut))
    #expect(snapshot.provenance.isDegraded)
    #expect(snapshot.provenance.degraded.contains { $0.contains("proc-net-tcp was cut") })
    #expect(snapshot.sockets.contains { $0.proto == .tcp && $0.family == .ipv4 })
  }

  @Test func aMissingKernelTableIsMadeUpFromTheTool() throws {
    let failed = ProbeSection(name: "proc-net-tcp", body: Array("cat: /proc/net/tcp: Permission denied\n".utf8), exitCode: 1, truncated: false, complete: true)
    let snapshot = SnapshotAssembler.assemble(try Self.output(tcp: failed))
    #expect(snapshot.provenance.isDegraded)
    // The IPv4 listeners ss saw are kept, with their owners.
    let specific = try #require(snapshot.listeners.first { $0.local?.port == 7003 && $0.proto == .tcp })
    #expect(specific.processes.map(\.name) == ["fp-listen"])
  }

  @Test func hostileSectionsNeverCrashTheAssembler() throws {
    var generator = HostileInputTests.SeededGenerator(state: 99)
    let names = ["meta", "addresses-ip", "addresses-if-inet6", "addresses-fib-trie", "unix-modes", "proc-fd", "ss-tuanp", "netstat", "lsof"]
      + ProbeScript.procNetSections.map(\.name.rawValue)
    let alphabet = Array(" /\n\t:%@|-+0123456789abcdefinet6 LOCAL=srwx".utf8)
    for _ in 0..<40 {
      let sections = names.map { name in
        let length = Int.random(in: 0..<600, using: &generator)
        let body = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
        return ProbeSection(name: name, body: body, exitCode: Int32.random(in: -1...2, using: &generator), truncated: Bool.random(using: &generator), complete: true)
      }
      _ = SnapshotAssembler.assemble(ProbeOutput(sections: sections, finished: Bool.random(using: &generator)))
    }
    let slashes = ProbeSection(name: "addresses-ip", body: Array("2: eth0 inet / brd x\n3: eth1 inet6 // scope\n".utf8), exitCode: 0, truncated: false, complete: true)
    #expect(SnapshotAssembler.assemble(ProbeOutput(sections: [slashes], finished: true)).addresses.isEmpty)
  }
}
