import Foundation
import Testing

@testable import FleetPortsCore

/// An owner whose name and arguments hold bytes a report must not print raw (a backslash, a
/// newline, a tab, UTF-8): the probe's awk writes each such byte as `\ooo`, the parser gives the
/// same bytes back, and the fields awk reads after escaping the name (the parent, the start)
/// stay right. One argument is long and full of newlines: many escapes in one string, which
/// awk escapes in halves.
@Suite struct ProbeIdentityEscapeTests {
  static let python = ["/usr/bin/python3", "/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

  /// Names itself (PR_SET_NAME) after its first argument, listens on loopback, and leaves a
  /// child holding the socket for at most 60 s, its output closed, so the setup goes on.
  static let owner = """
    import ctypes, os, signal, socket, sys
    ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
    if os.fork(): os._exit(0)
    signal.alarm(60); signal.pause()
    """

  @Test(.enabled(if: ProbeShell.isRoot && ProbeShell.unshare != nil && python != nil, "needs root (a network namespace) and python3"))
  func anOwnerWithOddBytesInItsNameAndArgumentsIsReadBack() throws {
    let python = try #require(Self.python)
    let name = "odd\\na\nme\t"
    let marker = "fp-odd-owner-\(getpid())"
    let arguments = [name, marker, "back\\slash", "new\nline\ttab", "caf\u{E9}", String(repeating: "long\n", count: 500)]
    let command = ([python, "-c", Self.owner] + arguments).map(ProxyCommandLine.shellQuoted).joined(separator: " ")
    let setup = command + " </dev/null >/dev/null 2>&1"
    let (run, output) = try ProbeShell.runInNetworkNamespace(setup: setup)
    #expect(run.status == 0 && !run.timedOut, "\(String(decoding: run.stderr, as: UTF8.self))")

    let identities = ProcessIdentityParser.parse(try #require(output[.processIdentity]).body)
    #expect(identities.report.unparsedCount == 0, "\(identities.report.unparsed.prefix(3))")
    let owner = try #require(identities.processes.first { $0.arguments?.contains(marker) == true }, "\(identities.processes)")
    defer { kill(owner.pid, SIGKILL) }
    #expect(owner.comm == name)
    #expect(owner.arguments == [python, "-c", Self.owner] + arguments)
    #expect(owner.argumentsTruncated == false)
    // Parent and start as the kernel says them (the fields after the name in /proc/PID/stat).
    let stat = try String(contentsOfFile: "/proc/\(owner.pid)/stat", encoding: .utf8)
    let fields = try #require(stat.range(of: ") ", options: .backwards)).upperBound
    let after = stat[fields...].split(separator: " ")
    #expect(owner.parentPID == Int32(after[1]), "\(stat)")
    #expect(owner.startTime != nil)
  }
}
