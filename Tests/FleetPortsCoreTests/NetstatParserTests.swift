import FleetPortsCore
import Testing

@Suite struct NetstatParserTests {
  func parse(_ path: String) throws -> SocketParse { NetstatParser.parse(try FixtureFiles.bytes(path)) }

  @Test func tulpenGivesUserInodeAndProgram() throws {
    let parsed = try parse("netstat/debian12-root-tulpen.out")
    #expect(parsed.report.unparsedCount == 0)
    let user = try #require(parsed.sockets.first { $0.local?.port == 9000 })
    #expect(user.uid != nil && user.uid != 0)
    #expect(user.inode != nil)
    #expect(user.processes.first?.name == "fp-user-long-nam")
    #expect(user.dataLoss.contains(.processNameMayBeTruncated))
    #expect(parsed.sockets.contains { $0.proto == .udp && $0.state == .unconnected })
  }

  @Test func narrowColumnsFlagPossiblyTruncatedIPv6() throws {
    let narrow = try parse("netstat/debian12-root-tuanp.out")
    let cut = try #require(narrow.sockets.first { $0.state == .listen && $0.local?.port == 7015 })
    #expect(cut.dataLoss.contains(.addressMayBeTruncated))
    // The damaged address is not presented as the real one.
    #expect(cut.local?.address.description != "fd00:250::1234:5678:9abc:def0")
    let wide = try parse("netstat/debian12-root-tuanpW.out")
    let whole = try #require(wide.sockets.first { $0.state == .listen && $0.local?.port == 7015 })
    #expect(whole.local?.address.description == "fd00:250::1234:5678:9abc:def0")
    #expect(!whole.dataLoss.contains(.addressMayBeTruncated))
  }

  @Test func mappedConnectionOnTcp6RowIsIPv4Mapped() throws {
    let parsed = try parse("netstat/debian12-root-tuanpW.out")
    let mapped = try #require(parsed.sockets.first { $0.state == .established && $0.local?.port == 7020 })
    #expect(mapped.family == .ipv6)
    #expect(mapped.local?.address == .ipv4Mapped(IPv4Address(127, 0, 0, 1)))
  }

  @Test func nonRootNoticeIsANoteNotARow() throws {
    let parsed = try parse("netstat/debian12-user-tuanp.out")
    #expect(parsed.report.unparsedCount == 0)
    #expect(parsed.report.notes.contains { $0.contains("not root") })
    #expect(parsed.sockets.contains { $0.processes.isEmpty })
  }

  @Test func unixTable() throws {
    let parsed = try parse("netstat/debian12-root-xlp.out")
    #expect(parsed.report.unparsedCount == 0)
    #expect(parsed.sockets.allSatisfy { $0.proto == .unix && $0.state == .listen })
    #expect(parsed.sockets.contains { $0.unix?.type == .seqpacket })
    #expect(parsed.sockets.contains { $0.unix?.isAbstract == true })
  }

  @Test func busyboxAndToyboxTables() throws {
    for path in ["netstat/debian12-root-busybox-1.35-tuan.out", "netstat/alpine-busybox-repro-tulnp.out", "netstat/toybox-repro-tulnp.out", "netstat/toybox-repro-tulnpe.out"] {
      let parsed = try parse(path)
      #expect(parsed.report.unparsedCount == 0, "\(path): \(parsed.report.unparsed)")
      #expect(parsed.sockets.contains { $0.local?.port == 7002 && $0.state == .listen }, "\(path)")
    }
    let busybox = try parse("netstat/alpine-busybox-repro-tulnp.out")
    #expect(try #require(busybox.sockets.first { $0.local?.port == 7002 }).processes.first?.name == "fp-listen")
    let unix = try parse("netstat/debian12-root-busybox-1.35-xl.out")
    #expect(unix.sockets.contains { $0.unix?.path == "/run/fpfix/with space.sock" })
  }

  @Test func statisticsMapPhrasesToKernelNames() throws {
    let parsed = NetstatStatisticsParser.parse(try FixtureFiles.bytes("netstat/debian12-root-s.out"))
    #expect(parsed.report.unparsedCount == 0)
    #expect(parsed.counters["Tcp", "PassiveOpens"] != nil)
    #expect(parsed.counters["Tcp", "CurrEstab"] != nil)
    let overflow = "TcpExt:\n    7 times the listen queue of a socket overflowed\n    9 SYNs to LISTEN sockets dropped\n"
    let synthetic = NetstatStatisticsParser.parse(Array(overflow.utf8))
    #expect(synthetic.counters.listenOverflows == 7)
    #expect(synthetic.counters.listenDrops == 9)
  }
}
