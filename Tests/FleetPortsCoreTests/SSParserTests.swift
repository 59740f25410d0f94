import FleetPortsCore
import Testing

@Suite struct SSParserTests {
  func parse(_ path: String, options: ParseOptions = ParseOptions()) throws -> SocketParse {
    SSParser.parse(try FixtureFiles.bytes(path), options: options)
  }

  func socket(_ parsed: SocketParse, port: UInt16, proto: SocketProtocol = .tcp, state: SocketState = .listen, family: IPFamily? = nil) throws -> SocketRecord {
    try #require(parsed.sockets.first { $0.local?.port == port && $0.proto == proto && $0.state == state && (family == nil || $0.family == family) })
  }

  @Test func debian12TuanpReadsEveryRow() throws {
    let parsed = try parse("ss/debian12-root-tuanp.out")
    #expect(parsed.report.unparsedCount == 0)
    #expect(parsed.report.linesIgnored == 1)
    #expect(parsed.sockets.count == parsed.report.linesRead - 1)
    let web = try socket(parsed, port: 7002)
    #expect(web.local?.address == .wildcard(.ipv4))
    #expect(web.processes.map(\.name) == ["fp-listen"])
    #expect(web.processes.first?.fd != nil)
  }

  @Test func linkLocalListenerKeepsItsZone() throws {
    let parsed = try parse("ss/debian12-root-tuanp.out")
    let linkLocal = try socket(parsed, port: 7014)
    guard case .ipv6(let address, let zone) = linkLocal.local?.address else {
      Issue.record("expected an IPv6 address, got \(String(describing: linkLocal.local))")
      return
    }
    #expect(address.description == "fe80::ff:fefa:1")
    #expect(zone == "d0")
  }

  @Test func dualStackStarIsAWildcardOfUnknownFamily() throws {
    let parsed = try parse("ss/debian12-root-tuanp.out")
    #expect(try socket(parsed, port: 7020).local?.address == .wildcard(nil))
    #expect(try socket(parsed, port: 7012).local?.address == .wildcard(.ipv6))
  }

  @Test func ipv4MappedPeerStaysMapped() throws {
    let parsed = try parse("ss/debian12-root-tuanp.out")
    let mapped = try #require(parsed.sockets.first { $0.state == .established && $0.local?.port == 7020 })
    #expect(mapped.local?.address == .ipv4Mapped(IPv4Address(127, 0, 0, 1)))
    #expect(mapped.peer?.address == .ipv4Mapped(IPv4Address(127, 0, 0, 1)))
  }

  @Test func sharedSocketListsBothProcesses() throws {
    let parsed = try parse("ss/debian12-root-tuanp.out")
    let shared = try socket(parsed, port: 7040)
    #expect(shared.processes.count == 2)
    #expect(Set(shared.processes.map(\.name)) == ["fp-shared"])
    #expect(Set(shared.processes.compactMap(\.pid)).count == 2)
  }

  @Test func nameWithQuotesAndParenthesisIsReadAndFlaggedAsCut() throws {
    let parsed = try parse("ss/debian12-root-tuanp.out")
    let web = try socket(parsed, port: 8080)
    // The real comm is `my "web" (x),y`; ss stops at the first `)`.
    #expect(web.processes.map(\.name) == ["my \"web\" (x"])
    #expect(web.dataLoss.contains(.processNameMayBeCutAtParenthesis))
    #expect(web.processes.first?.fd == 3)
  }

  @Test func fifteenByteNameIsFlaggedAsPossiblyTruncated() throws {
    let parsed = try parse("ss/debian12-root-tuanp.out")
    let user = try socket(parsed, port: 9000)
    #expect(user.processes.first?.name == "fp-user-long-na")
    #expect(user.dataLoss.contains(.processNameMayBeTruncated))
  }

  @Test func backlogAndQueuedConnectionsOnAListener() throws {
    let parsed = try parse("ss/debian12-root-tuanp.out")
    let flooded = try socket(parsed, port: 7050)
    #expect(flooded.receiveQueue == 2)
    #expect(flooded.sendQueue == 1)
    #expect(parsed.sockets.filter { $0.state == .closeWait }.count == 2)
  }

  @Test func headerlessOutputReadsLikeTheHeadedOne() throws {
    let headed = try parse("ss/debian12-root-tuanp.out")
    let headless = try parse("ss/debian12-root-H-tuanp.out")
    #expect(headless.report.unparsedCount == 0)
    #expect(Set(headless.sockets.filter(\.isListening).map { $0.local! }) == Set(headed.sockets.filter(\.isListening).map { $0.local! }))
  }

  @Test func stateFilterLeavesNoStateColumn() throws {
    let parsed = try parse("ss/debian12-root-tlnp-state-listening.out")
    #expect(parsed.report.unparsedCount == 0)
    #expect(!parsed.sockets.isEmpty)
    #expect(parsed.sockets.allSatisfy { $0.state == nil && $0.proto == .tcp })
  }

  @Test func singleProtocolTableHasNoNetidColumn() throws {
    let parsed = try parse("ss/debian12-root-ulnp.out")
    #expect(parsed.report.unparsedCount == 0)
    #expect(parsed.sockets.allSatisfy { $0.proto == .udp && $0.state == .unconnected })
  }

  @Test func extendedColumnsGiveUidAndInode() throws {
    let parsed = try parse("ss/debian12-root-tuanpe.out")
    let user = try socket(parsed, port: 9000)
    #expect(user.uid != nil && user.uid != 0)
    #expect(user.inode != nil)
  }

  @Test func unixSocketsWithSpacesAbstractAndTypes() throws {
    let parsed = try parse("ss/debian12-root-xap.out")
    #expect(parsed.report.unparsedCount == 0)
    let spaced = try #require(parsed.sockets.first { $0.unix?.path == "/run/fpfix/with space.sock" })
    #expect(spaced.state == .listen)
    #expect(spaced.unix?.type == .stream)
    let abstract = try #require(parsed.sockets.first { $0.unix?.isAbstract == true && $0.state == .listen })
    #expect(abstract.unix?.path == "fpfix-abstract")
    #expect(parsed.sockets.contains { $0.unix?.type == .seqpacket && $0.state == .listen })
    #expect(parsed.sockets.contains { $0.unix?.type == .datagram && $0.isListening })
  }

  @Test func oldIproute2LayoutWithoutPidAndFdKeywords() throws {
    let parsed = try parse("ss/centos7-iproute2-3.10.0-repro-tlnp.out")
    #expect(parsed.report.unparsedCount == 0)
    let shared = try socket(parsed, port: 7040)
    #expect(shared.processes.count == 2)
    #expect(shared.processes.allSatisfy { $0.pid != nil && $0.fd == 3 })
    let tuanp = try parse("ss/centos7-iproute2-3.10.0-repro-tuanp.out")
    #expect(tuanp.report.unparsedCount == 0)
    #expect(tuanp.sockets.contains { $0.local?.address == .wildcard(.ipv6) || $0.local?.address == .wildcard(nil) })
  }

  @Test func unbracketedOldIPv6AddressesAndZones() {
    let text = """
      State      Recv-Q Send-Q      Local Address:Port        Peer Address:Port
      LISTEN     0      128                    :::22                    :::*      users:(("sshd",1234,4))
      LISTEN     0      128       ::ffff:127.0.0.1:631                   :::*
      UNCONN     0      0         fe80::1%eth0:123                      :::*
      """
    let parsed = SSParser.parse(Array(text.utf8))
    #expect(parsed.report.unparsedCount == 0)
    #expect(parsed.sockets[0].local == Endpoint(address: .wildcard(.ipv6), port: 22))
    #expect(parsed.sockets[0].processes == [OwningProcess(name: "sshd", pid: 1234, fd: 4)])
    #expect(parsed.sockets[1].local?.address == .ipv4Mapped(IPv4Address(127, 0, 0, 1)))
    #expect(parsed.sockets[2].local?.address.zone == "eth0")
    #expect(parsed.sockets[2].proto == .udp)
  }

  @Test func hostileOwnerListIsCountedNotDropped() {
    let text = "tcp LISTEN 0 128 0.0.0.0:80 0.0.0.0:* users:((\"nginx\",pid=oops\n"
    let parsed = SSParser.parse(Array(text.utf8))
    #expect(parsed.sockets.count == 1, "the socket itself is still real")
    #expect(parsed.sockets[0].processes.isEmpty)
    #expect(parsed.report.unparsedCount == 1)
  }
}

extension SSParserTests {
  @Test func onlyBracketedWildcardsSayIPv6Only() throws {
    let current = try parse("ss/debian12-root-tuanp.out")
    #expect(try socket(current, port: 7012).ipv6Only == true)  // [::]:7012, V6ONLY
    #expect(try socket(current, port: 7020).ipv6Only == false)  // *:7020, dual-stack
    // iproute2 3.10 prints `:::port` for every IPv6 wildcard and `*` for IPv4: nothing is known.
    let old = try parse("ss/centos7-iproute2-3.10.0-repro-tuanp.out")
    #expect(old.sockets.filter { $0.local?.address == .wildcard(.ipv6) }.allSatisfy { $0.ipv6Only == nil })
  }
}
