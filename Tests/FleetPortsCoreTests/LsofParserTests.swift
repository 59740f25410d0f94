import FleetPortsCore
import Testing

@Suite struct LsofParserTests {
  @Test func textOutputDecodesEscapedCommandNames() throws {
    let parsed = LsofTextParser.parse(try FixtureFiles.bytes("lsof/debian12-root-c0-i-P-n.out"))
    #expect(parsed.report.unparsedCount == 0)
    let web = try #require(parsed.sockets.first { $0.local?.port == 8080 })
    #expect(web.processes.first?.name == "my \"web\" (x),y")
    #expect(web.user == "root")
    #expect(web.local?.address == .wildcard(.ipv4))
    #expect(web.state == .listen)
  }

  @Test func defaultWidthCommandIsFlaggedAsTruncated() throws {
    let parsed = LsofTextParser.parse(try FixtureFiles.bytes("lsof/debian12-root-i-P-n.out"))
    let user = try #require(parsed.sockets.first { $0.local?.port == 9000 })
    #expect(user.processes.first?.name == "fp-user-l")
    #expect(user.dataLoss.contains(.processNameMayBeTruncated))
  }

  @Test func sharedSocketMergesByInode() throws {
    let parsed = LsofTextParser.parse(try FixtureFiles.bytes("lsof/debian12-root-i-P-n.out"))
    let shared = parsed.sockets.filter { $0.local?.port == 7040 }
    #expect(shared.count == 1)
    #expect(shared.first?.processes.count == 2)
  }

  @Test func fieldOutputWithNewlinesAndNULsAgree() throws {
    let newline = LsofFieldParser.parse(try FixtureFiles.bytes("lsof/debian12-root-i-P-n-FpcuLfnPtT.out"))
    let nul = LsofFieldParser.parse(try FixtureFiles.bytes("lsof/debian12-root-i-P-n-F0pcuLfnPtT.out"))
    #expect(newline.report.unparsedCount == 0)
    #expect(nul.report.unparsedCount == 0)
    #expect(newline.sockets == nul.sockets)
    let web = try #require(nul.sockets.first { $0.local?.port == 8080 })
    #expect(web.processes.first?.name == "my \"web\" (x),y")
    let flooded = try #require(nul.sockets.first { $0.local?.port == 7050 && $0.state == .listen })
    #expect(flooded.receiveQueue == 2)
  }

  @Test func unixRowsFromLsofU() throws {
    let parsed = LsofTextParser.parse(try FixtureFiles.bytes("lsof/debian12-root-U-n-P.out"))
    #expect(parsed.report.unparsedCount == 0)
    #expect(parsed.sockets.contains { $0.unix?.path == "/run/fpfix/stream.sock" && $0.state == .listen })
  }
}
