import FleetPortsCore
import Testing

@Suite struct ProcNetParserTests {
  @Test func tcpHexAddressesDecodeInHostByteOrder() throws {
    let parsed = ProcNetSocketParser.parse(try FixtureFiles.bytes("proc/debian12-root-net-tcp.out"), proto: .tcp, family: .ipv4)
    #expect(parsed.report.unparsedCount == 0)
    let loopback = try #require(parsed.sockets.first { $0.local?.port == 7001 && $0.state == .listen })
    #expect(loopback.local?.address == .ipv4(IPv4Address(127, 0, 0, 1)))
    #expect(loopback.uid == 0)
    #expect(loopback.inode != nil && loopback.inode != 0)
    let specific = try #require(parsed.sockets.first { $0.local?.port == 7003 && $0.state == .listen })
    #expect(specific.local?.address == .ipv4(IPv4Address(10, 200, 250, 1)))
    #expect(parsed.sockets.contains { $0.state == .closeWait })
  }

  @Test func bigEndianHostsReadTheOtherWay() {
    let row = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 7F000001:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 536 1\n"
    let parsed = ProcNetSocketParser.parse(Array(row.utf8), proto: .tcp, family: .ipv4, options: ParseOptions(procByteOrder: .big))
    #expect(parsed.sockets.first?.local == Endpoint(address: .ipv4(IPv4Address(127, 0, 0, 1)), port: 22))
  }

  @Test func tcp6LinkLocalAndWildcard() throws {
    let parsed = ProcNetSocketParser.parse(try FixtureFiles.bytes("proc/debian12-root-net-tcp6.out"), proto: .tcp, family: .ipv6)
    #expect(parsed.report.unparsedCount == 0)
    let linkLocal = try #require(parsed.sockets.first { $0.local?.port == 7014 && $0.state == .listen })
    #expect(linkLocal.local?.address.description == "fe80::ff:fefa:1")
    #expect(try #require(parsed.sockets.first { $0.local?.port == 7012 }).local?.address == .wildcard(.ipv6))
    #expect(parsed.sockets.contains { $0.local?.address == .ipv4Mapped(IPv4Address(127, 0, 0, 1)) })
  }

  @Test func udpUnconnectedSocketsListen() throws {
    let parsed = ProcNetSocketParser.parse(try FixtureFiles.bytes("proc/debian12-root-net-udp.out"), proto: .udp, family: .ipv4)
    #expect(parsed.report.unparsedCount == 0)
    #expect(parsed.sockets.allSatisfy { $0.state == .unconnected && $0.isListening })
  }

  @Test func shortUDPRowsStillParse() {
    // Kernels before 2.6.27 had no `ref pointer drops` columns.
    let text = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   7: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4045"
    let parsed = ProcNetSocketParser.parse(Array(text.utf8), proto: .udp, family: .ipv4)
    #expect(parsed.report.unparsedCount == 0)
    #expect(parsed.sockets.first?.local?.port == 68)
    #expect(parsed.sockets.first?.inode == 4045)
  }

  @Test func rawSocketPortIsTheProtocolNumber() throws {
    let parsed = ProcNetSocketParser.parse(try FixtureFiles.bytes("proc/debian12-root-net-raw.out"), proto: .raw, family: .ipv4)
    #expect(parsed.report.unparsedCount == 0)
    #expect(parsed.sockets.first?.ipProtocol == 1)  // ICMP, printed where a port would be
    #expect(parsed.sockets.first?.local?.port == nil)
  }

  @Test func unixTableWithoutFinalNewline() throws {
    let full = ProcNetUnixParser.parse(try FixtureFiles.bytes("proc/debian12-root-net-unix.out"))
    let cut = ProcNetUnixParser.parse(try FixtureFiles.bytes("proc/debian12-root-net-unix-EDITED-no-final-newline.out"))
    #expect(full.report.unparsedCount == 0)
    #expect(cut.sockets == full.sockets)
    #expect(full.sockets.contains { $0.unix?.path == "/run/fpfix/with space.sock" && $0.state == .listen })
    #expect(full.sockets.contains { $0.unix?.isAbstract == true && $0.unix?.path == "fpfix-abstract" })
    #expect(full.sockets.contains { $0.unix?.type == .seqpacket && $0.state == .listen })
  }

  @Test func countersIncludeListenOverflows() throws {
    let parsed = ProcNetCounterParser.parse(try FixtureFiles.bytes("proc/debian12-root-net-netstat.out"))
    #expect(parsed.report.unparsedCount == 0)
    #expect(parsed.counters.listenOverflows != nil)
    #expect(parsed.counters.listenDrops != nil)
    let snmp = ProcNetCounterParser.parse(try FixtureFiles.bytes("proc/debian12-root-net-snmp.out"))
    #expect(snmp.counters["Tcp", "MaxConn"] == -1)
    let snmp6 = ProcNetCounterParser.parse(try FixtureFiles.bytes("proc/debian12-root-net-snmp6.out"))
    #expect(snmp6.report.unparsedCount == 0)
    #expect(snmp6.counters.values["Snmp6.Ip6InReceives"] != nil)
  }

  @Test func counterLinesThatDoNotPairAreReported() {
    let text = "TcpExt: A B C\nTcpExt: 1 2\n"
    let parsed = ProcNetCounterParser.parse(Array(text.utf8))
    #expect(parsed.counters.isEmpty)
    #expect(parsed.report.unparsedCount == 2)
  }
}
