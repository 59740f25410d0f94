import FleetPortsCore
import LabSupport
import Testing

/// Every parser, on what the real tools print on the lab hosts, must find exactly the
/// listeners the lab's truth file says each host has.
@Suite(.labFleet) struct LabParserTests {
  static func truth(_ host: LabHost) -> Set<ListenerKey> { host.listenerKeys }

  static func listeners(_ sockets: [SocketRecord]) -> Set<ListenerKey> { Set(sockets.compactMap(ListenerKey.init)) }

  static func owners(_ sockets: [SocketRecord]) -> [ListenerKey: Set<String>] {
    var result: [ListenerKey: Set<String>] = [:]
    for socket in sockets {
      guard let key = listeners([socket]).first else { continue }
      result[key, default: []].formUnion(socket.processes.map(\.name))
    }
    return result
  }

  /// Every truth listener is owned (among others, possibly) by the process the truth names.
  static func expectOwnersMatchTheTruth(_ sockets: [SocketRecord], on host: LabHost) {
    let owners = owners(sockets)
    for listener in host.listeners {
      let key = ListenerKey(listener)
      #expect(owners[key]?.contains(listener.process) == true, "\(host.name) \(key): \(owners[key] ?? [])")
    }
  }

  @Test func ssListenersEqualTheTruthOnEveryHost() throws {
    let lab = try LabFleet.forTests()
    for host in lab.hosts {
      let parsed = SSParser.parse(try LabHostCommand.run(host, ["ss", "-tuanp"]))
      #expect(parsed.report.unparsedCount == 0, "\(host.name): \(parsed.report.unparsed)")
      #expect(host.withoutUDPClients(Self.listeners(parsed.sockets)) == Self.truth(host), "\(host.name)")
      Self.expectOwnersMatchTheTruth(parsed.sockets, on: host)
    }
  }

  @Test func netstatListenersEqualTheTruthOnEveryHost() throws {
    let lab = try LabFleet.forTests()
    for host in lab.hosts {
      let parsed = NetstatParser.parse(try LabHostCommand.run(host, ["netstat", "-tulnpW"]))
      #expect(parsed.report.unparsedCount == 0, "\(host.name): \(parsed.report.unparsed)")
      #expect(host.withoutUDPClients(Self.listeners(parsed.sockets)) == Self.truth(host), "\(host.name)")
    }
  }

  @Test func lsofListenersEqualTheTruthOnEveryHost() throws {
    let lab = try LabFleet.forTests()
    for host in lab.hosts {
      let parsed = LsofFieldParser.parse(try LabHostCommand.run(host, ["lsof", "-nP", "-i", "-F0pcuLftPnTi"]))
      #expect(parsed.report.unparsedCount == 0, "\(host.name): \(parsed.report.unparsed)")
      #expect(host.withoutUDPClients(Self.listeners(parsed.sockets)) == Self.truth(host), "\(host.name)")
      Self.expectOwnersMatchTheTruth(parsed.sockets, on: host)
    }
  }

  @Test func procNetListenersEqualTheTruthAsRootAndAsAnUnprivilegedUser() throws {
    let lab = try LabFleet.forTests()
    for host in lab.hosts {
      for user in [nil, lab.unprivilegedUser] {
        var sockets: [SocketRecord] = []
        for (file, format) in [("tcp", CaptureFormat.procNetTCP), ("tcp6", .procNetTCP6), ("udp", .procNetUDP), ("udp6", .procNetUDP6)] {
          let bytes = try LabHostCommand.run(host, ["cat", "/proc/net/\(file)"], asUser: user)
          let parsed = try #require(CaptureParser.parse(bytes, as: format))
          #expect(parsed.report.unparsedCount == 0)
          sockets += parsed.sockets
        }
        #expect(host.withoutUDPClients(Self.listeners(sockets)) == Self.truth(host), "\(host.name) as \(user ?? "root")")
      }
    }
  }

  @Test func unixSocketsAndOverflowCountersMatchTheTruth() throws {
    let lab = try LabFleet.forTests()
    for host in lab.hosts {
      let unix = ProcNetUnixParser.parse(try LabHostCommand.run(host, ["cat", "/proc/net/unix"]))
      let paths = Set(unix.sockets.filter { $0.state == .listen }.compactMap(\.unix?.path))
      #expect(Set(host.unixSockets.map(\.path)).isSubset(of: paths), "\(host.name)")
      let counters = ProcNetCounterParser.parse(try LabHostCommand.run(host, ["cat", "/proc/net/netstat"]))
      if host.listenOverflow {
        #expect((counters.counters.listenOverflows ?? 0) > 0, "\(host.name) was flooded")
      }
      let ss = SSParser.parse(try LabHostCommand.run(host, ["ss", "-tan"]))
      #expect(ss.sockets.filter { $0.state == .closeWait }.count == host.closeWait, "\(host.name)")
    }
  }
}
