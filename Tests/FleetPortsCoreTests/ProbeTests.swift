import Foundation
import Testing

@testable import FleetPortsCore

#if canImport(Glibc)
  import Glibc
#endif

/// Runs shells as child processes: the probe script on stdin through a pipe, as over SSH.
enum ProbeShell {
  struct Run {
    var stdout: [UInt8]
    var stderr: [UInt8]
    var status: Int32
    var seconds: Double
    var timedOut: Bool
  }

  /// A shell that runs scripts from stdin, and how to call it.
  struct Shell: CustomStringConvertible, Sendable {
    var label: String
    var argv: [String]
    var description: String { label }
  }

  static let busybox: String? = ["/usr/bin/busybox", "/bin/busybox"].first { FileManager.default.isExecutableFile(atPath: $0) }

  static let shells: [Shell] = {
    var list = [Shell(label: "sh(dash)", argv: ["/bin/sh", "-s"])]
    if let bash = ["/usr/bin/bash", "/bin/bash"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) {
      list.append(Shell(label: "bash --posix", argv: [bash, "--posix", "-s"]))
    }
    if let busybox { list.append(Shell(label: "busybox sh", argv: [busybox, "sh", "-s"])) }
    return list
  }()

  static var isRoot: Bool { geteuid() == 0 }
  static let runuser = ["/usr/sbin/runuser", "/sbin/runuser"].first { FileManager.default.isExecutableFile(atPath: $0) }

  /// Users to run as: the current one, plus `nobody` when we are root and can switch.
  static var users: [String] { isRoot && runuser != nil ? ["self", "nobody"] : ["self"] }

  static let baseEnvironment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/", "LANG": "C.UTF-8"]

  static func argv(_ shell: Shell, user: String) -> [String] {
    guard user != "self", let runuser else { return shell.argv }
    return [runuser, "-u", user, "--"] + shell.argv
  }

  /// Runs `argv` with `input` on stdin. With `keepStdinOpen` the pipe is only closed once the
  /// child exits (an SSH channel whose EOF comes late): the script must end on its own.
  static func run(
    _ argv: [String], input: [UInt8], environment: [String: String] = baseEnvironment, keepStdinOpen: Bool = false,
    timeout: Double = 120
  ) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: argv[0])
    process.arguments = Array(argv.dropFirst())
    process.environment = environment
    let stdin = Pipe()
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    let started = ContinuousClock.now
    // Test-runner threads block most signals (SIGCHLD, SIGTERM, ...) and a spawned child keeps
    // that mask; sshd gives `sh -s` a clean one. Spawn from a clean mask, as sshd would.
    var clean = sigset_t()
    var saved = sigset_t()
    sigemptyset(&clean)
    pthread_sigmask(SIG_SETMASK, &clean, &saved)
    defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
    try process.run()
    pthread_sigmask(SIG_SETMASK, &saved, nil)
    let group = DispatchGroup()
    nonisolated(unsafe) var out = Data()
    nonisolated(unsafe) var err = Data()
    DispatchQueue.global().async(group: group) { out = stdout.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { err = stderr.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) {
      try? stdin.fileHandleForWriting.write(contentsOf: Data(input))
      if !keepStdinOpen { try? stdin.fileHandleForWriting.close() }
    }
    var timedOut = false
    let deadline = ContinuousClock.now + .seconds(timeout)
    while process.isRunning {
      if ContinuousClock.now > deadline {
        timedOut = true
        kill(process.processIdentifier, SIGKILL)
        break
      }
      usleep(2000)
    }
    process.waitUntilExit()
    if keepStdinOpen { try? stdin.fileHandleForWriting.close() }
    // A grandchild left behind may hold the pipes open: do not wait for it forever.
    _ = group.wait(timeout: .now() + (timedOut ? 5 : timeout))
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Run(stdout: Array(out), stderr: Array(err), status: process.terminationStatus, seconds: seconds, timedOut: timedOut)
  }
}

/// Sockets this test process holds open while the probe runs, so the probe has something known to find.
final class ProbeListeners: Sendable {
  let tcpPort: UInt16
  let tcpInode: UInt64
  let unixPath: String
  let unixInode: UInt64
  let directory: String

  static let shared = ProbeListeners()

  private init() {
    let dir = "/tmp/fp-probe-test-\(getpid())"
    mkdir(dir, 0o755)
    chmod(dir, 0o755)
    directory = dir

    let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    address.sin_port = 0
    _ = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    listen(tcp, 8)
    var bound = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &bound) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(tcp, $0, &length) }
    }
    tcpPort = UInt16(bigEndian: bound.sin_port)
    var info = stat()
    fstat(tcp, &info)
    tcpInode = UInt64(info.st_ino)

    // A path with a space: the probe must hand it to stat whole.
    let path = dir + "/listen sock"
    unlink(path)
    let unixFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var unixAddress = sockaddr_un()
    unixAddress.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &unixAddress.sun_path) { raw in
      for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
    }
    _ = withUnsafePointer(to: &unixAddress) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(unixFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    chmod(path, 0o666)
    listen(unixFD, 8)
    unixPath = path
    fstat(unixFD, &info)
    unixInode = UInt64(info.st_ino)
  }
}

/// A directory of busybox applet links: with PATH set to it alone, a host that has nothing but
/// busybox (as Alpine's base), no ss, no lsof, and Debian's busybox netstat (no -p, no -W).
enum BusyboxOnly {
  static let directory: String? = {
    guard let busybox = ProbeShell.busybox,
      let list = try? ProbeShell.run([busybox, "--list"], input: []), list.status == 0
    else { return nil }
    let dir = "/tmp/fp-probe-busybox-\(getpid())"
    mkdir(dir, 0o755)
    chmod(dir, 0o755)
    for name in String(decoding: list.stdout, as: UTF8.self).split(separator: "\n") {
      symlink(busybox, dir + "/" + name)
    }
    return dir
  }()
}

@Suite struct ProbeTests {
  static let nonce = "0123456789abcdef0123456789abcdef"

  // MARK: the real script on real shells

  static let runMatrix: [(ProbeShell.Shell, ProbeMethod, String)] = ProbeShell.shells.flatMap { shell in
    ProbeMethod.allCases.flatMap { method in ProbeShell.users.map { (shell, method, $0) } }
  }

  /// What `auto` resolves to on this machine, from what it has on PATH.
  static func resolvedAuto(busyboxOnly: Bool) -> ProbeMethod {
    if busyboxOnly { return .proc }
    let path = ProbeShell.baseEnvironment["PATH"]! + ":/usr/sbin:/sbin"
    func has(_ tool: String) -> Bool { path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") } }
    if has("ss") { return .ss }
    if has("netstat") { return .netstat }
    if has("lsof") { return .lsof }
    return .proc
  }

  static func fileText(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// Checks one full probe run: every section there, complete, parseable; meta right.
  static func check(
    _ run: ProbeShell.Run, method: ProbeMethod, user: String, label: String, busyboxOnly: Bool = false
  ) throws {
    #expect(!run.timedOut, "\(label): timed out")
    #expect(run.status == 0, "\(label): exit \(run.status), stderr \(String(decoding: run.stderr, as: UTF8.self))")
    #expect(run.stderr.isEmpty, "\(label): stderr \(String(decoding: run.stderr.prefix(2000), as: UTF8.self))")
    let output = ProbeOutput.parse(run.stdout, nonce: nonce)
    #expect(output.problems.isEmpty, "\(label): \(output.problems)")
    #expect(output.finished, "\(label): no done marker")

    let meta = try #require(output.meta, "\(label): no meta")
    let resolved = method == .auto ? resolvedAuto(busyboxOnly: busyboxOnly) : method
    #expect(meta.method == resolved, "\(label): method \(String(describing: meta.method))")
    #expect(meta.methodRequested == method)
    #expect(meta.probeVersion == "1")
    #expect(meta.sectionCap == ProbeScript.defaultSectionCap)
    #expect(meta.capTool == "head")
    let expectedUID = user == "nobody" ? 65534 : Int(geteuid())
    #expect(meta.uid == expectedUID && meta.euid == expectedUID, "\(label): uid \(String(describing: meta.uid))")
    #expect(meta.user == (user == "nobody" ? "nobody" : String(cString: getpwuid(geteuid())!.pointee.pw_name)))
    #expect(meta.hostname == fileText("/proc/sys/kernel/hostname"))
    #expect(meta.kernel == fileText("/proc/sys/kernel/osrelease"))
    var names = utsname()
    uname(&names)
    let machine = withUnsafeBytes(of: &names.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    #expect(meta.machine == machine)
    #expect(meta.bootID == fileText("/proc/sys/kernel/random/boot_id"))
    #expect(meta.machineID == fileText("/etc/machine-id"))
    #expect(meta.byteOrder == (UInt16(littleEndian: 1) == 1 ? .little : .big))
    #expect(meta.osID != nil && meta.osPrettyName != nil && !(meta.osPrettyName ?? "").contains("\""))
    #expect(meta.notes.isEmpty, "\(label): meta notes \(meta.notes)")
    #expect(meta.shell != nil, "\(label): shell")
    if busyboxOnly {
      #expect(meta.ssPath == nil && meta.lsofPath == nil)
      #expect(meta.netstatPath?.hasSuffix("/netstat") == true)
    }

    var expected = ["meta", "addresses-ip"] + ProbeScript.procNetSections.map(\.name)
    expected += resolved.attributionSections + ["unix-modes"]
    #expect(output.sections.map(\.name) == expected, "\(label)")
    for section in output.sections {
      #expect(section.complete && section.exitCode != nil && !section.truncated, "\(label): section \(section.name)")
    }

    let options = ParseOptions(procByteOrder: meta.procByteOrder)
    for (name, format) in ProbeScript.procNetSections {
      let section = try #require(output[name], "\(label): \(name)")
      let head = String(decoding: section.body.prefix(300), as: UTF8.self)
      #expect(section.exitCode == 0, "\(label): \(name) rc \(String(describing: section.exitCode)): \(head)")
      let parsed = try #require(CaptureParser.parse(section.body, as: format, options: options))
      #expect(parsed.report.linesRead > 0, "\(label): \(name) empty")
      #expect(parsed.report.unparsedCount == 0, "\(label): \(name) \(parsed.report.unparsed.prefix(3))")
    }
    let tcp = CaptureParser.parse(output["proc-net-tcp"]!.body, as: .procNetTCP, options: options)!
    let listener = ProbeListeners.shared
    #expect(tcp.sockets.contains { $0.inode == listener.tcpInode && $0.local?.port == listener.tcpPort && $0.isListening }, "\(label): own listener")
    let unix = CaptureParser.parse(output["proc-net-unix"]!.body, as: .procNetUnix)!
    #expect(unix.sockets.contains { $0.inode == listener.unixInode && $0.unix?.path == listener.unixPath }, "\(label): own unix listener")
    let addresses = String(decoding: output["addresses-ip"]!.body, as: UTF8.self)
    #expect(addresses.contains("inet 127.0.0.1/8"), "\(label): addresses")

    let modes = String(decoding: output["unix-modes"]!.body, as: UTF8.self)
    #expect(output["unix-modes"]?.exitCode == 0, "\(label): unix-modes \(modes)")
    #expect(modes.split(separator: "\n").contains { $0 == "666 root root \(listener.unixPath)" }, "\(label): unix-modes \(modes)")

    try checkAttribution(output, method: resolved, user: user, label: label, options: options)
  }

  static func checkAttribution(_ output: ProbeOutput, method: ProbeMethod, user: String, label: String, options: ParseOptions) throws {
    let me = getpid()
    let listener = ProbeListeners.shared
    let root = user == "self" && ProbeShell.isRoot
    switch method {
    case .auto:
      Issue.record("auto is never a resolved method")
    case .ss:
      for name in ["ss-tuanp", "ss-xlp"] {
        let section = try #require(output[name])
        #expect(section.exitCode == 0, "\(label): \(name)")
        let parsed = try #require(CaptureParser.parse(section.body, as: .ss, options: options))
        #expect(parsed.report.unparsedCount == 0, "\(label): \(name) \(parsed.report.unparsed.prefix(3))")
      }
      let tcp = CaptureParser.parse(output["ss-tuanp"]!.body, as: .ss, options: options)!
      let mine = try #require(tcp.sockets.first { $0.local?.port == listener.tcpPort && $0.isListening }, "\(label): ss sees the listener")
      #expect(mine.processes.contains { $0.pid == me } == root, "\(label): ss attribution")
    case .netstat:
      let section = try #require(output["netstat"])
      let text = String(decoding: section.body, as: UTF8.self)
      #expect(section.exitCode == 0, "\(label): netstat rc: \(text.prefix(500))")
      let parsed = try #require(CaptureParser.parse(section.body, as: .netstat, options: options))
      #expect(parsed.report.unparsedCount == 0, "\(label): netstat \(parsed.report.unparsed.prefix(3))")
      #expect(parsed.sockets.contains { $0.local?.port == listener.tcpPort && $0.isListening }, "\(label): netstat sees the listener")
    case .lsof:
      let section = try #require(output["lsof"])
      let parsed = try #require(CaptureParser.parse(section.body, as: .lsofFields, options: options))
      #expect(parsed.report.unparsedCount == 0, "\(label): lsof \(parsed.report.unparsed.prefix(3))")
      if root {
        #expect(section.exitCode == 0, "\(label): lsof rc")
        let attributed = parsed.sockets.contains { $0.local?.port == listener.tcpPort && $0.processes.contains { $0.pid == me } }
        #expect(attributed, "\(label): lsof attribution")
      }
    case .proc:
      let section = try #require(output["proc-fd"])
      #expect(section.exitCode == 0, "\(label): proc-fd rc")
      var rows: [(pid: Int32, inode: UInt64, comm: String)] = []
      for line in String(decoding: section.body, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
        let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        if fields.count == 3, let pid = Int32(fields[0]), let inode = UInt64(fields[1]) {
          rows.append((pid, inode, String(fields[2])))
        } else {
          // The one summary line of stat errors (processes gone, or not ours to read).
          #expect(line.isEmpty || line.hasPrefix("# stat errors: "), "\(label): proc-fd line \(line)")
        }
      }
      let found = rows.contains { $0.pid == me && $0.inode == listener.tcpInode }
      #expect(found == root, "\(label): proc-fd attribution of the test's own listener")
      if root {
        #expect(rows.contains { $0.pid == me && $0.inode == listener.unixInode })
        let comm = fileText("/proc/\(me)/comm")
        #expect(rows.first { $0.pid == me }?.comm == comm, "\(label): comm")
      }
    }
  }

  @Test(arguments: runMatrix)
  func fullProbeRuns(shell: ProbeShell.Shell, method: ProbeMethod, user: String) throws {
    _ = ProbeListeners.shared
    let script = ProbeScript.make(nonce: Self.nonce, method: method)
    let run = try ProbeShell.run(ProbeShell.argv(shell, user: user), input: Array(script.utf8))
    let label = "\(shell) \(method) as \(user)"
    print("probe timing: \(label): \(String(format: "%.3f", run.seconds)) s, \(run.stdout.count) bytes")
    try Self.check(run, method: method, user: user, label: label)
  }

  static let busyboxMatrix: [(ProbeMethod, String)] = ProbeMethod.allCases.flatMap { method in ProbeShell.users.map { (method, $0) } }

  /// A host with nothing but busybox: auto falls back to /proc, ss and lsof are "not found"
  /// sections, and Debian's busybox netstat (no -p, no -W) still gives a netstat section.
  @Test(arguments: busyboxMatrix)
  func busyboxOnlyHost(method: ProbeMethod, user: String) throws {
    let busybox = try #require(ProbeShell.busybox)
    let directory = try #require(BusyboxOnly.directory)
    _ = ProbeListeners.shared
    let script = ProbeScript.make(nonce: Self.nonce, method: method)
    let environment = ["PATH": directory, "HOME": "/"]
    let argv = ProbeShell.argv(ProbeShell.Shell(label: "busybox", argv: [busybox, "sh", "-s"]), user: user)
    let run = try ProbeShell.run(argv, input: Array(script.utf8), environment: environment)
    let label = "busybox-only \(method) as \(user)"
    print("probe timing: \(label): \(String(format: "%.3f", run.seconds)) s, \(run.stdout.count) bytes")
    let output = ProbeOutput.parse(run.stdout, nonce: Self.nonce)
    let meta = try #require(output.meta)
    switch method {
    case .ss, .lsof:
      // The tool is missing: its sections say so (rc 127) and the probe carries on.
      #expect(run.status == 0 && output.finished && output.problems.isEmpty, "\(label): \(output.problems)")
      for name in method.attributionSections {
        let section = try #require(output[name], "\(label): \(name)")
        #expect(section.complete && section.exitCode == 127, "\(label): \(name) rc \(String(describing: section.exitCode))")
        #expect(String(decoding: section.body, as: UTF8.self).contains("not found"), "\(label): \(name)")
      }
      #expect(output["unix-modes"]?.complete == true)
    case .netstat:
      #expect(meta.netstatFlags == "-tuan", "\(label): flags \(String(describing: meta.netstatFlags))")
      #expect(meta.netstatVersion?.hasPrefix("BusyBox") == true)
      try Self.check(run, method: method, user: user, label: label, busyboxOnly: true)
    case .auto, .proc:
      try Self.check(run, method: method, user: user, label: label, busyboxOnly: true)
    }
  }

  /// Debian's own busybox netstat, named explicitly: -p is refused (rc 1, usage text) and
  /// still lands in a section of its own without stopping the script.
  @Test(arguments: ProbeShell.shells)
  func refusedOptionStillMakesASection(shell: ProbeShell.Shell) throws {
    let busybox = try #require(ProbeShell.busybox)
    let script = ProbeScript.prelude(nonce: Self.nonce, sectionCap: 1 << 20) + """
      fp_init
      fp_run netstat \(busybox) netstat -tuanpW
      fp_run after echo still-here
      fp_done
      exit 0

      """
    let run = try ProbeShell.run(shell.argv, input: Array(script.utf8))
    let output = ProbeOutput.parse(run.stdout, nonce: Self.nonce)
    #expect(output.problems.isEmpty && output.finished)
    let section = try #require(output["netstat"])
    #expect(section.complete && section.exitCode != 0 && section.exitCode != nil)
    #expect(String(decoding: section.body, as: UTF8.self).contains("Usage: netstat"))
    #expect(output["after"]?.body == Array("still-here\n".utf8))
  }

  // MARK: framing on real shells

  /// Outputs with and without a final newline, empty, NULs, exactly cap, cap+1, exit codes.
  @Test(arguments: ProbeShell.shells)
  func framingRoundTripsExactly(shell: ProbeShell.Shell) throws {
    let cap = 64
    let exact = String(repeating: "0123456789abcdef", count: 4)
    let script = ProbeScript.prelude(nonce: Self.nonce, sectionCap: cap) + #"""
      fp_init
      fp_run no-newline printf abc
      fp_run newline printf 'abc\n'
      fp_run two-newlines printf 'a\n\n'
      fp_run empty true
      fp_run only-newline printf '\n'
      fp_run nul printf 'a\000b\000'
      fp_run exactly-cap printf \#(exact)
      fp_run cap-plus-one printf \#(exact)x
      fp_run way-over head -c 100000 /dev/zero
      fp_run exit-3 sh -c 'echo out; echo err >&2; exit 3'
      fp_run missing fp-no-such-command-here
      fp_run missing-file cat /nonexistent/fp
      fp_run stdin-is-null cat
      fp_run marker-midline printf 'x@@fp:0123456789abcdef0123456789abcdef:end marker-midline rc=0@@'
      fp_run marker-forged printf '@@fp:ffffffffffffffffffffffffffffffff:end marker-forged rc=0@@'
      fp_done
      exit 0

      """#
    let run = try ProbeShell.run(shell.argv, input: Array(script.utf8))
    #expect(run.status == 0)
    let output = ProbeOutput.parse(run.stdout, nonce: Self.nonce)
    #expect(output.problems == ["1 line looks like a probe marker with another nonce (ignored)"], "\(shell): \(output.problems)")
    #expect(output.finished)
    func body(_ name: String) -> [UInt8]? { output[name]?.body }
    #expect(body("no-newline") == Array("abc".utf8))
    #expect(body("newline") == Array("abc\n".utf8))
    #expect(body("two-newlines") == Array("a\n\n".utf8))
    #expect(body("empty") == [])
    #expect(body("only-newline") == [10])
    #expect(body("nul") == [97, 0, 98, 0])
    #expect(body("exactly-cap") == Array(exact.utf8))
    #expect(output["exactly-cap"]?.truncated == false)
    #expect(body("cap-plus-one") == Array(exact.utf8))
    #expect(output["cap-plus-one"]?.truncated == true)
    #expect(body("way-over") == [UInt8](repeating: 0, count: cap))
    #expect(output["way-over"]?.truncated == true)
    // head closed the pipe early; how the writer ended depends on timing and on whether the
    // test runner left SIGPIPE ignored (141, nil, or 1 for EPIPE): only completeness is stable.
    #expect(output["way-over"]?.complete == true)
    #expect(output["exit-3"]?.exitCode == 3)
    #expect(body("exit-3").map { Set(String(decoding: $0, as: UTF8.self).split(separator: "\n")) } == ["out", "err"])
    #expect(output["missing"]?.exitCode == 127)
    #expect(output["missing-file"]?.exitCode == 1)
    #expect(body("missing-file").map { String(decoding: $0, as: UTF8.self).contains("No such file") } == true)
    #expect(body("stdin-is-null") == [])
    #expect(output["stdin-is-null"]?.exitCode == 0)
    // The real marker text, but not at the start of its line: content.
    #expect(body("marker-midline") == Array("x@@fp:0123456789abcdef0123456789abcdef:end marker-midline rc=0@@".utf8))
    // A whole line that is a marker with another nonce: content, counted in problems.
    #expect(body("marker-forged") == Array("@@fp:ffffffffffffffffffffffffffffffff:end marker-forged rc=0@@".utf8))
    #expect(output.sections.allSatisfy { $0.complete })
  }

  /// The whole probe with a 10-byte cap: every section is cut and says so; the cut /proc/net/tcp
  /// body is exactly the first 10 bytes of the file (no final newline).
  @Test(arguments: ProbeShell.shells)
  func tinyCapTruncatesEverySection(shell: ProbeShell.Shell) throws {
    let script = ProbeScript.make(nonce: Self.nonce, method: .ss, sectionCap: 10)
    let run = try ProbeShell.run(shell.argv, input: Array(script.utf8))
    let output = ProbeOutput.parse(run.stdout, nonce: Self.nonce)
    #expect(output.problems.isEmpty && output.finished, "\(output.problems)")
    let tcp = try #require(output["proc-net-tcp"])
    let file = Array(try Data(contentsOf: URL(fileURLWithPath: "/proc/net/tcp")))
    #expect(tcp.body == Array(file.prefix(10)))
    #expect(tcp.truncated && tcp.complete)
    #expect(output["meta"]?.truncated == true)
    #expect(output["meta"]?.body == Array("probe=1\nme".utf8))
    for section in output.sections {
      #expect(section.complete && section.body.count <= 10 && (!section.truncated || section.body.count == 10), "\(section.name)")
    }
    #expect(output.sections.filter(\.truncated).count >= 12)
  }

  /// proc-fd keeps going when processes vanish between the glob and stat, or before their comm is
  /// read: 200 short-lived processes die during the scan; a pid with no /proc entry keeps an empty comm.
  @Test(arguments: ProbeShell.shells)
  func procFdSurvivesVanishingProcesses(shell: ProbeShell.Shell) throws {
    let script = ProbeScript.prelude(nonce: Self.nonce, sectionCap: 1 << 24) + ProbeScript.probeFunctions + #"""
      fp_fake() {
        printf '%s\n' '999999999 5' '! stat: cannot statx x: No such file or directory' "$$ 7" | fp_add_comm
      }
      fp_init
      fp_run fake fp_fake
      fp_i=0
      while [ "$fp_i" -lt 200 ]; do
        sleep 0.05 &
        fp_i=$((fp_i + 1))
      done
      fp_run proc-fd fp_proc_fd
      wait
      fp_done
      exit 0

      """#
    let run = try ProbeShell.run(shell.argv, input: Array(script.utf8))
    let output = ProbeOutput.parse(run.stdout, nonce: Self.nonce)
    #expect(run.status == 0 && output.problems.isEmpty && output.finished, "\(shell): \(output.problems)")
    let fake = String(decoding: try #require(output["fake"]).body, as: UTF8.self).split(separator: "\n")
    #expect(fake.count == 3, "\(fake)")
    #expect(fake.first == "999999999 5 ")
    #expect(fake.dropFirst().first?.hasSuffix(" 7 \(shell.argv[0].hasSuffix("busybox") ? "busybox" : shell.argv[0].hasSuffix("bash") ? "bash" : "sh")") == true)
    #expect(fake.last == "# stat errors: 1, first: stat: cannot statx x: No such file or directory")
    let procFD = try #require(output["proc-fd"])
    #expect(procFD.complete && procFD.exitCode == 0)
    for line in String(decoding: procFD.body, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("# stat errors: ") {
      let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
      #expect(fields.count == 3 && Int32(fields[0]) != nil && UInt64(fields[1]) != nil, "\(shell): \(line)")
    }
  }

  /// An SSH channel may send EOF late (or never): the script must end by itself with exit 0.
  @Test(arguments: ProbeShell.shells)
  func endsWithoutStdinEOF(shell: ProbeShell.Shell) throws {
    let script = ProbeScript.make(nonce: Self.nonce, method: .proc)
    let run = try ProbeShell.run(shell.argv, input: Array(script.utf8), keepStdinOpen: true, timeout: 60)
    #expect(!run.timedOut && run.status == 0)
    #expect(ProbeOutput.parse(run.stdout, nonce: Self.nonce).finished)
  }

  /// Text after the script on stdin is never run: the script exits first.
  @Test func trailingInputIsNotRun() throws {
    let script = ProbeScript.make(nonce: Self.nonce, method: .proc) + "echo SHOULD-NOT-RUN\n"
    let run = try ProbeShell.run(["/bin/sh", "-s"], input: Array(script.utf8))
    #expect(!String(decoding: run.stdout, as: UTF8.self).contains("SHOULD-NOT-RUN"))
    #expect(ProbeOutput.parse(run.stdout, nonce: Self.nonce).finished)
  }

  /// A script cut in transit runs nothing (everything is inside fp_main, parsed whole first).
  @Test(arguments: ProbeShell.shells)
  func truncatedScriptRunsNothing(shell: ProbeShell.Shell) throws {
    let script = Array(ProbeScript.make(nonce: Self.nonce, method: .ss).utf8)
    for fraction in [0.3, 0.6, 0.97] {
      let cut = Array(script.prefix(Int(Double(script.count) * fraction)))
      let run = try ProbeShell.run(shell.argv, input: cut)
      #expect(run.stdout.isEmpty, "\(shell) cut at \(fraction): printed \(run.stdout.count) bytes")
    }
  }

  /// With FP_PROBE_DUMP_DIR set, writes each method's script there (for timing by hand:
  /// `time sh -s < DIR/probe-ss.sh > /dev/null`). Does nothing otherwise.
  @Test func dumpScriptsWhenAsked() throws {
    guard let directory = ProcessInfo.processInfo.environment["FP_PROBE_DUMP_DIR"] else { return }
    for method in ProbeMethod.allCases {
      let script = ProbeScript.make(nonce: Self.nonce, method: method)
      try Data(script.utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent("probe-\(method.rawValue).sh"))
    }
  }

  /// The harness itself: children start with no blocked signals (else `wait` hangs in dash and
  /// busybox, and a timeout's SIGTERM never lands).
  @Test func childrenStartWithACleanSignalMask() throws {
    let run = try ProbeShell.run(["/bin/sh", "-c", "grep SigBlk /proc/self/status"], input: [])
    #expect(String(decoding: run.stdout, as: UTF8.self) == "SigBlk:\t0000000000000000\n")
  }

  /// Every shell accepts the script's syntax (`-n`).
  @Test(arguments: ProbeShell.shells)
  func syntaxCheck(shell: ProbeShell.Shell) throws {
    for method in ProbeMethod.allCases {
      let argv = Array(shell.argv.dropLast()) + ["-n"]
      let run = try ProbeShell.run(argv, input: Array(ProbeScript.make(nonce: Self.nonce, method: method).utf8))
      #expect(run.status == 0 && run.stderr.isEmpty, "\(shell) \(method): \(String(decoding: run.stderr, as: UTF8.self))")
    }
  }

  // MARK: the script's text

  @Test func scriptCarriesOnlyNonceCapAndMethod() {
    let nonce = "fedcba9876543210"
    for method in ProbeMethod.allCases {
      let script = ProbeScript.make(nonce: nonce, method: method, sectionCap: 12345)
      #expect(script.components(separatedBy: nonce).count == 2, "nonce written once")
      #expect(script.contains("fp_cap=12345\n") && script.contains("fp_cap1=12346\n"))
      #expect(script.contains("fp_want=\(method.rawValue)\n"))
      #expect(script.utf8.allSatisfy { $0 == 10 || ($0 >= 32 && $0 < 127) }, "printable ASCII only")
      #expect(script.hasSuffix("exit 0\n"))
      // Bashisms and features dash or busybox lack.
      for bashism in [" [[ ", "pipefail", "$'", "function ", "local ", "<<<", "${!", "declare ", "source ", "==", "&>", "$RANDOM", "echo -e", "|&"] {
        #expect(!script.contains(bashism), "\(method): \(bashism)")
      }
    }
    #expect(ProbeScript.make(nonce: nonce, method: .auto) == ProbeScript.make(nonce: nonce, method: .auto))
  }

  @Test func nonceValidation() {
    #expect(ProbeScript.isValidNonce("0123456789abcdef"))
    #expect(ProbeScript.isValidNonce(String(repeating: "a", count: 64)))
    #expect(!ProbeScript.isValidNonce(String(repeating: "a", count: 65)))
    #expect(!ProbeScript.isValidNonce("0123456789abcde"))
    #expect(!ProbeScript.isValidNonce("0123456789ABCDEF"))
    #expect(!ProbeScript.isValidNonce("0123456789abcdeg"))
    #expect(!ProbeScript.isValidNonce("0123456789abcde'"))
    #expect(!ProbeScript.isValidNonce("0123456789abcdé"))
    let made = ProbeScript.makeNonce()
    #expect(ProbeScript.isValidNonce(made) && made.count == 32)
    #expect(ProbeScript.makeNonce() != made)
  }

  @Test func invalidNonceIsAPreconditionFailure() async {
    await #expect(processExitsWith: .failure) {
      _ = ProbeScript.make(nonce: "$(reboot)0123456789abcdef", method: .auto)
    }
    await #expect(processExitsWith: .failure) {
      _ = ProbeScript.make(nonce: "0123456789abcdef", method: .auto, sectionCap: 0)
    }
  }

  // MARK: the framing parser on constructed and hostile bytes

  static func begin(_ name: String, nonce: String = nonce) -> String { "@@fp:\(nonce):begin \(name)@@\n" }
  static func end(_ name: String, rc: String = "0", cap: Int? = nil, nonce: String = nonce) -> String {
    "\n@@fp:\(nonce):end \(name) rc=\(rc)\(cap.map { " cap=\($0)" } ?? "")@@\n"
  }
  static let done = "@@fp:\(nonce):done@@\n"

  @Test func parsesConstructedOutput() {
    let text = Self.begin("a") + "one\ntwo" + Self.end("a") + Self.begin("b") + "x\n" + Self.end("b", rc: "2", cap: nil)
      + Self.begin("c") + Self.end("c", rc: "?") + Self.done
    let output = ProbeOutput.parse(Array(text.utf8), nonce: Self.nonce)
    #expect(output.problems.isEmpty && output.finished)
    #expect(output.sections.map(\.name) == ["a", "b", "c"])
    #expect(output["a"] == ProbeSection(name: "a", body: Array("one\ntwo".utf8), exitCode: 0, truncated: false, complete: true))
    #expect(output["b"] == ProbeSection(name: "b", body: Array("x\n".utf8), exitCode: 2, truncated: false, complete: true))
    #expect(output["c"] == ProbeSection(name: "c", body: [], exitCode: nil, truncated: false, complete: true))
    #expect(output["nope"] == nil)
  }

  @Test func capMarksTruncation() {
    let text = Self.begin("a") + "12345" + Self.end("a", cap: 5) + Self.begin("b") + "123456" + Self.end("b", rc: "141", cap: 5) + Self.done
    let output = ProbeOutput.parse(Array(text.utf8), nonce: Self.nonce)
    #expect(output["a"]?.body == Array("12345".utf8) && output["a"]?.truncated == false)
    #expect(output["b"]?.body == Array("12345".utf8) && output["b"]?.truncated == true && output["b"]?.exitCode == 141)
  }

  @Test func markersWithAnotherNonceAreContent() {
    let other = "ffffffffffffffffffffffffffffffff"
    let forged = Self.end("a", nonce: other) + Self.begin("evil", nonce: other) + "x" + Self.end("evil", nonce: other) + "@@fp:\(other):done@@\n"
    let text = Self.begin("a") + "before" + forged + "after" + Self.end("a") + Self.done
    let output = ProbeOutput.parse(Array(text.utf8), nonce: Self.nonce)
    #expect(output.sections.map(\.name) == ["a"])
    #expect(output["a"]?.body == Array(("before" + forged + "after").utf8))
    #expect(output["a"]?.complete == true)
    #expect(output.problems == ["4 lines look like a probe marker with another nonce (ignored)"])
  }

  @Test func markerTextInsideALineIsContent() {
    let real = "@@fp:\(Self.nonce):end a rc=0 cap=100@@"
    let lines = [
      "users:((\"\(real)\",pid=1,fd=3))", "  \(real)", "\(real) ", "\(real)\r", "x\(real)", "\(real)\u{0}",
      "@@fp:\(Self.nonce):end a rc=0 cap=100@@@@", "@@fp:\(Self.nonce):end a  rc=0@@", "@@fp:\(Self.nonce):end A rc=0@@",
      "@@fp:\(Self.nonce):end a rc=99999999999@@", "@@fp:\(Self.nonce):end a rc=-1@@", "@@fp:\(Self.nonce):begin a b@@",
      "@@fp:\(Self.nonce):begin @@", "@@fp:\(Self.nonce):done @@", "@@FP:\(Self.nonce):done@@",
    ]
    let content = lines.joined(separator: "\n") + "\n"
    let text = Self.begin("a") + content + Self.end("a") + Self.done
    let output = ProbeOutput.parse(Array(text.utf8), nonce: Self.nonce)
    #expect(output.sections.map(\.name) == ["a"])
    #expect(output["a"]?.body == Array(content.utf8))
    #expect(output["a"]?.complete == true && output.finished)
    #expect(output.problems == ["8 lines start with this scan's marker prefix but are not markers (ignored)"], "\(output.problems)")
  }

  @Test func missingEndMarker() {
    let text = Self.begin("a") + "partial output with no end"
    let output = ProbeOutput.parse(Array(text.utf8), nonce: Self.nonce)
    #expect(output["a"] == ProbeSection(name: "a", body: Array("partial output with no end".utf8), exitCode: nil, truncated: false, complete: false))
    #expect(output.problems.contains("section 'a' has a begin marker but no end marker (output cut?)"))
    #expect(output.problems.contains { $0.hasPrefix("no done marker") })
    #expect(!output.finished)

    // A begin while a section is open: the open one was cut.
    let nested = Self.begin("a") + "x\n" + Self.begin("b") + "y" + Self.end("b") + Self.done
    let second = ProbeOutput.parse(Array(nested.utf8), nonce: Self.nonce)
    #expect(second.sections.map(\.complete) == [false, true])
    #expect(second["a"]?.body == Array("x\n".utf8) && second["b"]?.body == Array("y".utf8))
    #expect(second.problems == ["section 'a' has no end marker before section 'b' begins"])

    // The end marker of another section.
    let crossed = Self.begin("a") + "x" + Self.end("b") + Self.done
    let third = ProbeOutput.parse(Array(crossed.utf8), nonce: Self.nonce)
    #expect(third["a"]?.complete == false)
    #expect(third.problems == ["section 'a' ended by the end marker of 'b'"])

    // An end marker without its trailing newline (cut one byte early) does not count.
    let cut = Self.begin("a") + "x" + String(Self.end("a").dropLast())
    #expect(ProbeOutput.parse(Array(cut.utf8), nonce: Self.nonce)["a"]?.complete == false)
  }

  @Test func linesOutsideSections() {
    let text = "motd line\nanother\n" + Self.begin("a") + "x" + Self.end("a") + "stray\n" + Self.done + "late\n"
    let output = ProbeOutput.parse(Array(text.utf8), nonce: Self.nonce)
    #expect(output["a"]?.body == [120])
    #expect(output.problems == ["3 lines outside any section", "1 line after the done marker"])
    #expect(ProbeOutput.parse([], nonce: Self.nonce).problems == ["no probe sections in the output"])
    #expect(ProbeOutput.parse(Array(text.utf8), nonce: "not-a-nonce").problems == ["invalid nonce: the output cannot be framed"])
    let twice = Self.begin("a") + Self.end("a") + Self.begin("a") + "2" + Self.end("a") + Self.done
    let dup = ProbeOutput.parse(Array(twice.utf8), nonce: Self.nonce)
    #expect(dup.problems == ["section 'a' appears more than once"] && dup["a"]?.body == [])
  }

  @Test func nulsAndHugeLines() {
    let huge = [UInt8](repeating: 65, count: 1 << 20)
    var bytes = Array(Self.begin("a").utf8) + [0, 0, 10, 0] + huge + [0]
    bytes += Array(Self.end("a", cap: nil).utf8) + huge + [10] + Array(Self.done.utf8) + huge
    let output = ProbeOutput.parse(bytes, nonce: Self.nonce)
    // Compared without printing a megabyte on failure.
    #expect(output["a"].map { $0.body == [0, 0, 10, 0] + huge + [0] } == true, "body of \(output["a"]?.body.count ?? -1) bytes")
    #expect(output.finished)
    #expect(output.problems == ["1 line outside any section", "1 line after the done marker"])
    // A 1 MB line that starts like a marker is not read as one.
    let fake = Array("@@fp:\(Self.nonce):begin x".utf8) + huge + Array("@@\n".utf8)
    #expect(ProbeOutput.parse(fake, nonce: Self.nonce).sections.isEmpty)
  }

  @Test func randomBytesNeverCrash() {
    var generator = HostileInputTests.SeededGenerator(state: 99)
    let pieces = [
      Self.begin("a"), Self.end("a", cap: 100), Self.begin("b"), Self.end("b", rc: "?", cap: 100), Self.done, "\n", "@@", "@@fp:",
      Self.nonce, "\r", "rc=", " cap=3",
    ]
    for _ in 0..<300 {
      var bytes: [UInt8] = []
      for _ in 0..<Int.random(in: 0..<60, using: &generator) {
        if Bool.random(using: &generator) {
          bytes += Array(pieces.randomElement(using: &generator)!.utf8)
        } else {
          bytes += (0..<Int.random(in: 0..<40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
      }
      let output = ProbeOutput.parse(bytes, nonce: Self.nonce)
      let total = output.sections.reduce(0) { $0 + $1.body.count }
      #expect(total <= bytes.count)
      for section in output.sections where section.truncated { #expect([3, 100].contains(section.body.count)) }
    }
  }

  @Test func parsingIsLinear() {
    // 8 MB of short lines and 8 MB of marker-like lines: both must take about as long as a copy.
    let lines = [UInt8](repeating: 10, count: 8 << 20)
    var markerish: [UInt8] = []
    let line = Array("@@fp:\(Self.nonce):end a rc=0 cap=1@@\n".utf8)
    while markerish.count < 8 << 20 { markerish += line }
    let clock = ContinuousClock()
    let elapsed = clock.measure {
      _ = ProbeOutput.parse(Array(Self.begin("a").utf8) + lines, nonce: Self.nonce)
      _ = ProbeOutput.parse(markerish, nonce: Self.nonce)
    }
    #expect(elapsed < .seconds(20), "\(elapsed)")
  }

  // MARK: meta

  @Test func metaParsing() {
    let body = """
      probe=1
      method=ss
      method-requested=auto
      uid=1000
      euid=0
      hostname=web-1
      os-pretty-name="Debian GNU/Linux 12 (bookworm)"
      os-id=debian
      os-version-id='12'
      byte-order=
      machine=s390x
      future-key=some value=with equals
      netstat-flags=-tuan
      id: cannot find name for user ID 1000
      user=
      """
    let meta = ProbeMeta.parse(ProbeSection(name: "meta", body: Array(body.utf8), exitCode: 0, truncated: false, complete: true))
    #expect(meta.method == .ss && meta.methodRequested == .auto)
    #expect(meta.uid == 1000 && meta.euid == 0 && meta.isRoot)
    #expect(meta.hostname == "web-1")
    #expect(meta.osPrettyName == "Debian GNU/Linux 12 (bookworm)" && meta.osID == "debian" && meta.osVersionID == "12")
    #expect(meta.byteOrder == nil && meta.procByteOrder == .big)
    #expect(meta.other == ["future-key": "some value=with equals"])
    #expect(meta.notes == ["id: cannot find name for user ID 1000"])
    #expect(meta.user == nil && meta.netstatFlags == "-tuan")
    #expect(ProbeMeta.unquote(#""a \"b\" \$c \\ d""#) == #"a "b" $c \ d"#)
    #expect(ProbeMeta.byteOrder(forMachine: "armv7l") == .little && ProbeMeta.byteOrder(forMachine: "ppc64") == .big)
    #expect(ProbeMeta.byteOrder(forMachine: "weird") == nil)
  }
}
