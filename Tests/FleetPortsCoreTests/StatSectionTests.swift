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

  /// Another local user binds a socket, unlinks it and puts a symlink in its place whose target
  /// holds newlines: busybox prints the target raw, so lines of the user's choosing follow.
  @Test func aSymlinkTargetCannotForgeAnotherSocketsModeUnderBusybox() {
    let shell = "777 root root '/proc/12170/exe' -> '/usr/bin/dash'\n"
    // The injected lines end in one stat could not write (`y'`): nothing is trusted.
    let cut = StatSection.parse(
      Array((shell + "777 eve eve '/tmp/rv/s' -> 'x\n600 root root /run/docker.sock\ny'\n666 root docker /run/docker.sock\n").utf8))
    #expect(cut.distrusted && cut.unixModes.isEmpty && cut.linkLines.isEmpty)
    // Every injected line well formed: the forged path is printed twice, and keeps neither line.
    let whole = StatSection.parse(
      Array(
        (shell + "777 eve eve '/tmp/rv/s' -> 'x\n600 root root /run/docker.sock\n755 eve eve /tmp/rv/q'\n666 root docker /run/docker.sock\n"
          + "777 root root \n").utf8))
    #expect(!whole.distrusted)
    #expect(!whole.unixModes.contains { $0.path == "/run/docker.sock" }, "\(whole.unixModes)")
    #expect(!whole.unixModes.contains { $0.path.hasPrefix("/tmp/rv/s") }, "a symlink is not the socket: \(whole.unixModes)")
  }

  /// GNU's escape style writes the newline as `\n`: one line, a link, refused as a socket's mode.
  @Test func aSymlinkInASocketsPlaceIsNotTheSocketUnderGNU() {
    let section = StatSection.parse(
      Array(
        "777 root root /proc/12170/exe -> /usr/bin/dash\n777 eve eve /tmp/rv/s -> x\\n600 root root /run/docker.sock\n666 root docker /run/docker.sock\n"
          .utf8))
    #expect(section.unixModes == [UnixSocketMode(path: "/run/docker.sock", mode: "666", owner: "root")])
    #expect(!section.distrusted && section.otherLines == 1)
  }

  /// The same pid's link printed twice (one forged): neither is kept.
  @Test func aLinkPrintedTwiceKeepsNeither() {
    let section = StatSection.parse(
      Array(
        "777 root root '/proc/9/exe' -> '/bin/sh'\n777 root root '/proc/1/exe' -> '/x'\n777 root root '/proc/1/exe' -> '/sbin/init'\n".utf8)
    )
    #expect(section.linkLines.isEmpty && section.otherLines == 2)
  }

  /// coreutils before 8.26 (RHEL 7's 8.22) ignores QUOTING_STYLE and quotes every name.
  @Test func oldCoreutilsQuotedNamesLoseTheirQuotes() {
    let section = StatSection.parse(
      Array("777 root root '/proc/9/exe' -> '/usr/bin/bash'\n666 root root '/run/fp.sock'\n660 root docker '/run/a b.sock'\n".utf8))
    #expect(
      section.unixModes == [
        UnixSocketMode(path: "/run/fp.sock", mode: "666", owner: "root"), UnixSocketMode(path: "/run/a b.sock", mode: "660", owner: "root"),
      ])
  }
}
