import FleetPortsCore
import Testing

/// ss, netstat, lsof and /proc/net were captured back to back on one namespace
/// (Fixtures/consistency); every tool must yield the same listening sockets.
@Suite struct ConsistencyTests {
  /// One listening socket as every tool can see it: protocol, address without zone, port.
  struct Listener: Hashable, CustomStringConvertible {
    var proto: String
    var address: String
    var port: String
    var description: String { "\(proto) \(address) \(port)" }
  }

  static func expected() throws -> (ip: Set<Listener>, unix: Set<Listener>, owners: [Listener: String]) {
    let text = String(decoding: try FixtureFiles.bytes("consistency/expected-listeners.txt"), as: UTF8.self)
    var ip = Set<Listener>()
    var unix = Set<Listener>()
    var owners: [Listener: String] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard columns.count == 4 else { continue }
      var address = columns[1]
      if let percent = address.firstIndex(of: "%") { address = String(address[..<percent]) }
      let listener = Listener(proto: columns[0], address: address, port: columns[2])
      if columns[0].hasPrefix("unix") { unix.insert(listener) } else { ip.insert(listener) }
      owners[listener] = columns[3]
    }
    return (ip, unix, owners)
  }

  static func listener(_ socket: SocketRecord) -> Listener? {
    guard socket.isListening else { return nil }
    if let unix = socket.unix {
      guard let path = unix.path else { return nil }
      let type = unix.type.map { $0 == .datagram ? "dgram" : $0.rawValue } ?? "?"
      return Listener(proto: "unix_\(type)", address: (unix.isAbstract ? "@" : "") + path, port: "-")
    }
    guard socket.proto == .tcp || socket.proto == .udp, let local = socket.local, let port = local.port else { return nil }
    let address: String
    switch local.address {
    case .wildcard(.ipv4): address = "0.0.0.0"
    case .wildcard: address = "::"  // ss's `*` is the dual-stack IPv6 wildcard
    case .ipv4(let v4, _): address = v4.description
    case .ipv6(let v6, _): address = v6.description
    case .ipv4Mapped(let v4): address = "::ffff:\(v4)"
    case .text(let text): address = text
    }
    return Listener(proto: socket.proto.rawValue, address: address, port: String(port))
  }

  static func listeners(_ parses: [SocketParse]) -> Set<Listener> {
    Set(parses.flatMap(\.sockets).compactMap(listener))
  }

  func file(_ name: String) throws -> [UInt8] { try FixtureFiles.bytes("consistency/\(name)") }

  @Test func ssMatchesTheExpectedListeners() throws {
    let expected = try Self.expected()
    let parsed = SSParser.parse(try file("ss-tuanp.out"))
    #expect(Self.listeners([parsed]) == expected.ip)
    for socket in parsed.sockets {
      guard let key = Self.listener(socket), let owner = expected.owners[key] else { continue }
      // ss cuts names at `)`; what it shows must be the start of the real name.
      #expect(socket.processes.allSatisfy { owner.hasPrefix($0.name) }, "\(key): \(socket.processes) vs \(owner)")
    }
    let unix = SSParser.parse(try file("ss-xap.out"))
    #expect(Self.listeners([unix]) == expected.unix)
  }

  @Test func procNetMatchesTheExpectedListeners() throws {
    let expected = try Self.expected()
    let parses = [
      ProcNetSocketParser.parse(try file("proc-net-tcp.out"), proto: .tcp, family: .ipv4),
      ProcNetSocketParser.parse(try file("proc-net-tcp6.out"), proto: .tcp, family: .ipv6),
      ProcNetSocketParser.parse(try file("proc-net-udp.out"), proto: .udp, family: .ipv4),
      ProcNetSocketParser.parse(try file("proc-net-udp6.out"), proto: .udp, family: .ipv6),
    ]
    #expect(Self.listeners(parses) == expected.ip)
    #expect(Self.listeners([ProcNetUnixParser.parse(try file("proc-net-unix.out"))]) == expected.unix)
  }

  @Test func netstatMatchesTheExpectedListeners() throws {
    let expected = try Self.expected()
    let parsed = NetstatParser.parse(try file("netstat-tuanpW.out"))
    #expect(Self.listeners([parsed]) == expected.ip)
  }

  @Test func lsofMatchesTheExpectedListenersAndOwners() throws {
    let expected = try Self.expected()
    let parsed = LsofFieldParser.parse(try file("lsof-i-F.out"))
    #expect(Self.listeners([parsed]) == expected.ip)
    for socket in parsed.sockets {
      guard let key = Self.listener(socket), let owner = expected.owners[key] else { continue }
      #expect(socket.processes.allSatisfy { $0.name == owner }, "\(key)")
    }
  }
}
