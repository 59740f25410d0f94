import Testing

@testable import FleetPortsCore

/// The probe's one `stat` (`StatSection`), from real captures: GNU coreutils 9.1 and busybox
/// 1.35 (Debian 12) over the shell's exe, a socket path with a space, one with a backslash,
/// pid 1's links (not readable in this sandbox), a vanished pid and the shell's namespace link.
@Suite struct StatSectionTests {
  @Test(arguments: ["stat-gnu.txt", "stat-busybox.txt"])
  func realCapturesGiveModesLinksAndTheShell(file: String) throws {
    let section = StatSection.parse(try FixtureFiles.bytes("proc-ids/\(file)"))
    #expect(section.shell == "/usr/bin/dash", "\(file)")
    #expect(
      section.unixModes == [
        UnixSocketMode(path: "/tmp/fp sock", mode: "666", owner: "root"), UnixSocketMode(path: "/tmp/fp\\x", mode: "666", owner: "root"),
      ], "\(file)")
    // The namespace link reads back in the identity parser's shape, whichever stat wrote it.
    let links = String(decoding: section.linkLines, as: UTF8.self).split(separator: "\n")
    #expect(links.contains { $0.hasPrefix("link ") && $0.contains("/ns/net") && $0.contains("net:[") }, "\(file): \(links)")
    // The last line is the shell's own namespace: `link /proc/<pid>/ns/net -> net:[…]`.
    let shellPID = try #require(links.last.map { $0.split(separator: "/").dropFirst(2).first ?? "" })
    let identities = ProcessIdentityParser.parse(Array("pid \(shellPID)\n".utf8) + section.linkLines)
    #expect(identities.processes.first?.networkNamespace == 4_026_531_833, "\(file)")
    #expect(identities.report.unparsedCount == 0, "\(file): \(identities.report.unparsed)")
  }

  @Test func linesThatAreNotStatsAreCountedNotKept() {
    let section = StatSection.parse(
      Array("777 root root /proc/9/exe -> /usr/bin/sh\nstat: cannot statx 'x': No such file\n644 a b relative\n\n".utf8))
    #expect(section.shell == "/usr/bin/sh" && section.unixModes.isEmpty && section.otherLines == 2)
  }
}
