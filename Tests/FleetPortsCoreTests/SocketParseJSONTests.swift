import Foundation
import Testing

@testable import FleetPortsCore

/// `fleetports parse --json` writes sockets directly (`SocketParseJSON`) instead of through
/// `Encodable`: on every real capture here the bytes must be what `Codable` would write, and
/// read back as the very same parse.
@Suite struct SocketParseJSONTests {
  /// Every captured `.out` under the fixture folders of real tool output.
  static var captures: [String] {
    get throws {
      try ["ss", "netstat", "lsof", "proc", "consistency", "cases", "issue15"].flatMap { folder in
        FileManager.default.fileExists(atPath: FixtureFiles.root.appendingPathComponent(folder).path) ? try FixtureFiles.all(in: folder) : []
      }
    }
  }

  @Test func everyRealCaptureReadsBackAsTheSameParseAndTheSameBytesAsCodable() throws {
    let captures = try Self.captures
    #expect(captures.count >= 40, "the real captures are found")
    var compared = 0
    for path in captures {
      guard let parsed = CaptureParser.parse(try FixtureFiles.bytes(path)) else { continue }
      let direct = try SocketParseJSON.encode(parsed)
      let decoded = try JSONDecoder().decode(SocketParse.self, from: Data(direct))
      #expect(decoded == parsed, "\(path): the JSON does not read back as the parse")
      // Byte for byte, where no socket's dataLoss set has an order of its own to differ in.
      if parsed.sockets.allSatisfy({ $0.dataLoss.count <= 1 }) {
        #expect(direct == (try StreamingJSONEncoder.encode(parsed)), "\(path): not the bytes Codable writes")
        compared += 1
      }
    }
    #expect(compared >= 30)
  }

  /// Every optional field set at least once, escaping included: a field added to the model
  /// and not to the writer fails here even when no capture carries it yet.
  @Test func aSocketWithEveryFieldSetReadsBack() throws {
    let tcp = SocketRecord(
      proto: .tcp, family: .ipv6, state: .listen,
      local: Endpoint(address: HostAddress.parse("::"), port: 443, serviceName: "https"),
      peer: Endpoint(address: HostAddress.parse("*"), port: nil, serviceName: "*"),
      receiveQueue: 0, sendQueue: 4096, inode: 18_446_744_073_709_551_615, uid: 4_294_967_295, user: "ngi\"nx\\\u{1}",
      processes: [
        OwningProcess(name: "nginx: \u{1B}[31mworker", pid: 1234, fd: -1, toolName: "nginx: worker pr"), OwningProcess(name: "b", pid: nil, fd: nil),
      ],
      dataLoss: [.processNameMayBeTruncated], listenBacklog: 511, netid: "tcp", ipProtocol: 6, cgroup: "/system.slice/nginx.service")
    var unix = SocketRecord(proto: .unix, state: .listen, inode: 9, unix: UnixSocketDetails(path: "/run/x\n.sock", isAbstract: false, type: .seqpacket, peerInode: 7))
    unix.ipv6Only = false
    var inContainer = SocketRecord(proto: .tcp, family: .ipv4, state: .listen, local: Endpoint(address: HostAddress.parse("0.0.0.0"), port: 80))
    inContainer.netns = 4_026_532_999
    inContainer.container = ContainerIdentity(runtime: .docker, id: String(repeating: "ab", count: 32), name: "web")
    let abstract = SocketRecord(proto: .unix, unix: UnixSocketDetails(path: nil, isAbstract: true, type: nil))
    let parsed = SocketParse(format: .ss, sockets: [tcp, unix, abstract, inContainer], report: ParseReport())
    let direct = try SocketParseJSON.encode(parsed)
    #expect(try JSONDecoder().decode(SocketParse.self, from: Data(direct)) == parsed)
    #expect(direct == (try StreamingJSONEncoder.encode(parsed)))
    let empty = SocketParse(format: .procNetTCP)
    #expect(try SocketParseJSON.encode(empty) == (try StreamingJSONEncoder.encode(empty)))
  }
}
