import FleetPortsCore
import Testing

/// ss's netlink dump standing for /proc/net/tcp and tcp6 (`tcp-source` = `ss`): the snapshot
/// must hold the same TCP sockets, field for field, as when the probe read both files and took
/// only the owners from ss. The captures in Fixtures/ss-tcp-source were made at one moment
/// (`capture.py`: ss identical before and after the two reads; iproute2 6.1.0, Debian 12).
@Suite struct SSTCPTableTests {
  static func section(_ name: ProbeSectionName, _ body: [UInt8]) -> ProbeSection {
    ProbeSection(name: name.rawValue, body: body, exitCode: 0, truncated: false, complete: true)
  }

  static func capture(_ file: String) throws -> [UInt8] { try FixtureFiles.bytes("ss-tcp-source/\(file)") }

  /// A probe's output of method ss as root, with the TCP tables or with `tcp-source` instead.
  static func output(tcpFrom source: String) throws -> ProbeOutput {
    let meta = "method=ss\neuid=0\nuid=0\nhostname=fixture\nbyte-order=little\n"
    var sections = [section(.meta, Array(meta.utf8))]
    for file in ["udp", "udp6", "raw", "raw6", "unix", "netstat", "snmp"] { sections.append(section(.procNet(file), [])) }
    if source == "proc-net" {
      sections.append(section(.procNet("tcp"), try capture("proc-net-tcp.out")))
      sections.append(section(.procNet("tcp6"), try capture("proc-net-tcp6.out")))
    }
    sections.append(section(.ss, try capture("ss-tuaxnpe.out")))
    sections.append(section(.tcpSource, Array("\(source)\n".utf8)))
    return ProbeOutput(sections: sections, finished: true)
  }

  static func tcpSockets(_ snapshot: HostSnapshot) -> [SocketRecord] {
    snapshot.sockets.filter { $0.proto == .tcp }.sorted { "\($0.inode ?? 0) \($0.local.map(\.description) ?? "") \($0.peer.map(\.description) ?? "")" < "\($1.inode ?? 0) \($1.local.map(\.description) ?? "") \($1.peer.map(\.description) ?? "")" }
  }

  @Test func theNetlinkDumpGivesTheSocketsProcNetGives() throws {
    let fromProc = SnapshotAssembler.assemble(try Self.output(tcpFrom: "proc-net"))
    let fromSS = SnapshotAssembler.assemble(try Self.output(tcpFrom: "ss"))
    #expect(fromSS.provenance.kernelTablesRead && !fromSS.provenance.isDegraded, "\(fromSS.provenance.degraded)")
    #expect(fromSS.provenance.problems == fromProc.provenance.problems, "\(fromSS.provenance.problems)")
    let proc = Self.tcpSockets(fromProc)
    let ss = Self.tcpSockets(fromSS)
    #expect(proc.count == 14)
    #expect(ss == proc)
    for (a, b) in zip(ss, proc) where a != b { Issue.record("ss \(a)\nproc \(b)") }

    // What the capture holds, as /proc/net spells it: a dual-stack `*:7003` is `::` with
    // IPV6_V6ONLY off, `0.0.0.0%lo:7005` (bound to a device) is 0.0.0.0, nobody's listener has
    // uid 65534, and a listener's Send-Q is its backlog, not a send queue.
    let listeners = Dictionary(uniqueKeysWithValues: fromSS.listeners.filter { $0.proto == .tcp }.map { ($0.local?.port ?? 0, $0) })
    #expect(listeners[7003]?.local?.address == .wildcard(.ipv6) && listeners[7003]?.ipv6Only == false)
    #expect(listeners[7002]?.local?.address == .wildcard(.ipv6) && listeners[7002]?.ipv6Only == true)
    #expect(listeners[7005]?.local?.address == .wildcard(.ipv4) && listeners[7005]?.family == .ipv4)
    #expect(listeners[7010]?.uid == 65534 && listeners[7001]?.uid == 0)
    #expect(listeners[7004]?.listenBacklog == 5 && listeners[7004]?.sendQueue == 0 && listeners[7004]?.receiveQueue == 1)
    #expect(listeners[7001]?.processes.map(\.name) == ["python3"])
  }

  /// As another user ss names no owner, and a Unix line ends in -e's extras (`<-> ino:N
  /// dev:0/65024 peers:`) right after the peer inode: the path (with a space) is still read.
  @Test func aUnixLineEndingInExtrasParses() throws {
    for file in ["ss-tuaxnpe.out", "ss-tuaxnpe-nobody.out"] {
      let parsed = try #require(CaptureParser.parse(try Self.capture(file), as: .ss))
      #expect(parsed.report.unparsedCount == 0, "\(file): \(parsed.report.unparsed)")
      let unix = try #require(parsed.sockets.first { $0.proto == .unix }, "\(file)")
      #expect(unix.unix?.path?.hasPrefix("/tmp/fp capture-") == true && unix.unix?.path?.hasSuffix(".sock") == true, "\(file): \(unix)")
      #expect(unix.inode == 16_197_575, "\(file)")
      #expect(parsed.sockets.filter { $0.proto == .tcp }.count == 14, "\(file)")
    }
  }

  @Test func aProbeThatDistrustedSSReadsProcNetAndSaysWhy() throws {
    var output = try Self.output(tcpFrom: "proc-net")
    output.sections.removeAll { $0.name == ProbeSectionName.tcpSource.rawValue }
    output.sections.append(Self.section(.tcpSource, Array("proc-net line 3: a Unix socket after the TCP and UDP ones\n".utf8)))
    let snapshot = SnapshotAssembler.assemble(output)
    #expect(snapshot.provenance.problems.contains("TCP sockets read from /proc/net/tcp* instead of ss: line 3: a Unix socket after the TCP and UDP ones"))
    #expect(Self.tcpSockets(snapshot) == Self.tcpSockets(SnapshotAssembler.assemble(try Self.output(tcpFrom: "proc-net"))))
  }

  /// ss ran without -e because the host's cgroups would cost more to walk than the tables:
  /// the tables are the TCP sockets, and a choice is not one of the host's problems.
  @Test func tablesChosenAsCheaperAreReadWithoutAProblem() throws {
    var output = try Self.output(tcpFrom: "proc-net")
    output.sections.removeAll { $0.name == ProbeSectionName.tcpSource.rawValue }
    let why = "proc-net-cheaper 2000 cgroups for ss -e to walk, 262144 established-hash buckets\n"
    output.sections.append(Self.section(.tcpSource, Array(why.utf8)))
    let snapshot = SnapshotAssembler.assemble(output)
    #expect(!snapshot.provenance.problems.contains { $0.contains("TCP sockets") }, "\(snapshot.provenance.problems)")
    #expect(snapshot.provenance.kernelTablesRead && !snapshot.provenance.isDegraded, "\(snapshot.provenance.degraded)")
    #expect(Self.tcpSockets(snapshot) == Self.tcpSockets(SnapshotAssembler.assemble(try Self.output(tcpFrom: "proc-net"))))
  }

  @Test func trustWithoutTheWholeSSSectionIsNotTaken() throws {
    var output = try Self.output(tcpFrom: "ss")
    let index = try #require(output.sections.firstIndex { $0.name == "ss" })
    output.sections[index].truncated = true
    let snapshot = SnapshotAssembler.assemble(output)
    // The tables were not read and ss cannot stand for them: the host says so.
    #expect(snapshot.provenance.isDegraded)
    #expect(snapshot.provenance.problems.contains { $0.contains("the ss section is missing or cut") })
  }
}
