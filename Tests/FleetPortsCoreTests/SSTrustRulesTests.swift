import Foundation
import Testing

@testable import FleetPortsCore

/// Each rule of `ProbeScript.ssTrustAwk`, on the real capture of Fixtures/ss-tcp-source with one
/// line changed as a local user (or an old ss) could change it, through the real probe with `ss`
/// replaced by a script printing it (`ProbeTCPSourceTests.probe(ssPrinting:)`, any user).
@Suite(.enabled(if: ProbeShell.takesTCPFromSS, "this machine's cgroups make the probe read /proc/net/tcp* without ss -e"))
struct SSTrustRulesTests {
  static func capture() throws -> String {
    String(decoding: try FixtureFiles.bytes("ss-tcp-source/ss-tuaxnpe.out"), as: UTF8.self)
  }

  /// The capture with the first line holding `marker` rewritten by `change`.
  static func edited(_ marker: String, _ change: (String) -> String) throws -> [UInt8] {
    var lines = try capture().components(separatedBy: "\n")
    let index = try #require(lines.firstIndex { $0.contains(marker) }, "the capture has \(marker)")
    lines[index] = change(lines[index])
    return Array(lines.joined(separator: "\n").utf8)
  }

  static func reason(_ capture: [UInt8]) throws -> String {
    let output = try ProbeTCPSourceTests.probe(ssPrinting: capture)
    // Distrust always comes with the tables read instead.
    let text = String(decoding: output[.tcpSource]?.body ?? [], as: UTF8.self)
    #expect(text == "ss\n" || output[.procNet("tcp")]?.exitCode == 0, "\(text)")
    return text
  }

  @Test func theCaptureAsItIsIsTrusted() throws {
    #expect(try Self.reason(Array(try Self.capture().utf8)) == "ss\n")
  }

  /// A cgroup named with spaces by a user (systemd delegates user@UID.service's subtree): its
  /// path would claim uid 0, another socket's inode and sshd as owner.
  @Test func tokensAfterTheCgroupPathAreDistrusted() throws {
    let injected = try Self.edited("0.0.0.0:7001") {
      $0.replacingOccurrences(of: "cgroup:/ <->", with: #"cgroup:/user.slice/x uid:0 ino:16197577 users:(("sshd",pid=1,fd=3)) <->"#)
    }
    #expect(try Self.reason(injected) == "proc-net line 5: more after the cgroup path\n")
    // And the parser, which also reads ss's lines for owners on the /proc route, believes
    // only what ss printed before the path.
    let parsed = try #require(CaptureParser.parse(injected, as: .ss))
    let record = try #require(parsed.sockets.first { $0.local?.port == 7001 && $0.proto == .tcp })
    #expect(record.inode == 16_197_564 && record.uid == 0 && record.processes.map(\.name) == ["python3"])
  }

  /// ss before 4.14 printed the IPv4 wildcard as `*`, bound to a device `*%eth0`, and no v6only.
  @Test func aWildcardWithoutV6OnlyIsDistrusted() throws {
    let old = try Self.edited("0.0.0.0%lo:7005") {
      $0.replacingOccurrences(of: "   0.0.0.0%lo:7005", with: "      *%lo:7005")
    }
    #expect(try Self.reason(old) == "proc-net line 4: a wildcard bind without v6only\n")
  }

  /// Before iproute2 7.0 comm is printed raw: two owners, the first named with a newline and
  /// the second with address-like words, split a line into a TCP line of their making.
  @Test func aLineSplitByAProcessNameIsDistrusted() throws {
    let split = try Self.edited(#"users:(("python3",pid=3383,fd=8))"#) {
      $0.replacingOccurrences(
        of: #"users:(("python3",pid=3383,fd=8))"#, with: "users:((\"\ntcp ESTAB 0 0 \",pid=3383,fd=8),(\":1 :2 x\",pid=9,fd=1))")
    }
    #expect(try Self.reason(split) == "proc-net line 10: not the ss columns\n")
  }

  @Test func aBareNumberAfterThePeerIsDistrusted() throws {
    let trailer = try Self.edited("127.0.0.1:7004  ") { $0.replacingOccurrences(of: " ino:", with: " 16197575 * 0 ino:") }
    #expect(try Self.reason(trailer).hasPrefix("proc-net line 6: a bare number after the peer"))
  }

  @Test func anotherNetidAmongTheTCPLinesIsDistrusted() throws {
    let raw = try Self.edited("[::1]:7006  ") { "p_raw" + $0.dropFirst(5) }
    #expect(try Self.reason(raw).hasPrefix("proc-net line 13: netid not tcp or udp"))
  }

  /// A dump that failed quietly (ss ignores tcp_show's result and exits 0).
  @Test func noTCPLineIsDistrusted() throws {
    let lines = try Self.capture().components(separatedBy: "\n").filter { !$0.hasPrefix("tcp") }
    #expect(try Self.reason(Array(lines.joined(separator: "\n").utf8)) == "proc-net ss listed no TCP socket\n")
  }

  /// ss 6.8 on kernel 6.8 lists bound sockets that neither listen nor connect as `tcp UNCONN`;
  /// /proc/net/tcp has none of them, nor then does the snapshot.
  @Test func boundInactiveTCPSocketsAreNotListed() throws {
    let line = "tcp   UNCONN    0      0                      0.0.0.0:7020                0.0.0.0:*     ino:16197599 sk:24d09 cgroup:/ <->"
    let parsed = try #require(CaptureParser.parse(Array((try Self.capture() + line + "\n").utf8), as: .ss))
    #expect(parsed.sockets.contains { $0.local?.port == 7020 && $0.proto == .tcp })
    #expect(!SSTCPTable.tcpSockets(parsed.sockets).contains { $0.local?.port == 7020 })
    #expect(SSTCPTable.tcpSockets(parsed.sockets).count == 14)
  }

  /// A Unix listener with connections waiting ends in `peers: <inode> <inode>`: still read.
  @Test func aUnixListenerWithWaitingPeersParses() throws {
    let waiting = try Self.edited("u_str LISTEN") {
      $0.replacingOccurrences(of: #"users:(("python3",pid=3383,fd=13)) "#, with: "")
        .replacingOccurrences(of: "peers:", with: "peers: 16197600 16197601")
    }
    let parsed = try #require(CaptureParser.parse(waiting, as: .ss))
    #expect(parsed.report.unparsedCount == 0, "\(parsed.report.unparsed)")
    #expect(parsed.sockets.first { $0.proto == .unix }?.inode == 16_197_575)
  }

  /// When the probe distrusted ss and its TCP tables are missing after all (output cut), ss's
  /// TCP lines do not stand in for them: they are the lines it distrusted.
  @Test func distrustedLinesNeverStandInForAMissingTable() throws {
    var output = try SSTCPTableTests.output(tcpFrom: "proc-net")
    output.sections.removeAll { $0.name.hasPrefix("proc-net-tcp") || $0.name == ProbeSectionName.tcpSource.rawValue }
    output.sections.append(SSTCPTableTests.section(.tcpSource, Array("proc-net line 5: more after the cgroup path\n".utf8)))
    let snapshot = SnapshotAssembler.assemble(output)
    #expect(!snapshot.sockets.contains { $0.proto == .tcp })
    #expect(snapshot.provenance.isDegraded)
  }
}
