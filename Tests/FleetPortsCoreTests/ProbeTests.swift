import Foundation
import Testing

@testable import FleetPortsCore

#if canImport(Glibc)
  import Glibc
#endif

@Suite struct ProbeTests {
  static let nonce = "0123456789abcdef0123456789abcdef"

  // MARK: the real script on real shells

  static let runMatrix: [(ProbeShell.Shell, ProbeMethod, String)] = ProbeShell.shells.flatMap { shell in
    ProbeMethod.allCases.flatMap { method in ProbeShell.users.map { (shell, method, $0) } }
  }

  /// What `auto` resolves to on this machine, from what it has on PATH.
  static func resolvedAuto(busyboxOnly: Bool) -> ProbeMethod {
    if busyboxOnly { return .proc }
    let path = (ProbeShell.baseEnvironment["PATH"] ?? "") + ":" + ProbeScript.standardPath
    func has(_ tool: String) -> Bool {
      path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
    }
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
    #expect(meta.capTool == "awk")
    let expectedUID = user == "nobody" ? 65534 : Int(geteuid())
    #expect(meta.uid == expectedUID && meta.euid == expectedUID, "\(label): uid \(String(describing: meta.uid))")
    let me = try #require(getpwuid(geteuid()))
    #expect(meta.user == (user == "nobody" ? "nobody" : String(cString: me.pointee.pw_name)))
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
    let stat = StatSection.parse(try #require(output[.stat], "\(label): stat").body)
    #expect(stat.shell?.hasPrefix("/") == true, "\(label): shell \(String(describing: stat.shell))")
    if busyboxOnly {
      #expect(meta.ssPath == nil && meta.lsofPath == nil)
      #expect(meta.netstatPath?.hasSuffix("/netstat") == true)
    }

    // The namespaces first (builtins), then a shell section for a tool other than ss, then
    // what the one awk writes (ss's section among them), then the one stat.
    var expected: [ProbeSectionName] = [.netns] + (resolved == .ss ? [] : resolved.attributionSections)
    // With ss, its netlink dump stands for /proc/net/tcp and tcp6 (`tcp-source` says so).
    let ssTCP = resolved == .ss && ProbeShell.takesTCPFromSS
    let tables = ProbeScript.procNetSections.map(\.name).filter { !ssTCP || !$0.rawValue.hasPrefix("proc-net-tcp") }
    let tablesFirst = tables.filter { !ssTCP && resolved == .ss ? !$0.rawValue.hasPrefix("proc-net-tcp") : true }
    expected += [.meta, .addressesIfInet6, .addressesIPv4] + tablesFirst
    expected += (resolved == .ss ? resolved.attributionSections + [.tcpSource] : [])
    // Where ss's dump is not taken, awk reads the TCP tables after saying so.
    expected += tables.filter { !tablesFirst.contains($0) } + [.processIdentity, .stat]
    // The firewall sections (`fw-…`) come last and only as root; the other network
    // namespaces' tables (`netns-<pid>-…`, `netns-fd`) are whatever this machine runs.
    let firewallSections = output.sections.map(\.name).filter { $0.hasPrefix("fw-") }
    #expect(
      output.sections.map(\.name).filter { !$0.hasPrefix("fw-") && !$0.hasPrefix("netns-") } == expected.map(\.rawValue), "\(label)")
    let netns = ProbeNetnsSection.parse(output[.netns]?.body ?? [])
    #expect(netns.report.unparsedCount == 0, "\(label): \(netns.report.unparsed)")
    for reader in netns.readers {
      #expect(output[.netnsTable(reader, "tcp")] != nil && netns.inodes[reader] != nil, "\(label): namespace of pid \(reader)")
    }
    #expect(meta.isRoot || firewallSections.isEmpty, "\(label)")
    let known = (ProbeSectionName.firewallSections + [.firewallNone]).map(\.rawValue)
    #expect(firewallSections.allSatisfy { known.contains($0) }, "\(label): \(firewallSections)")
    for section in output.sections {
      #expect(section.complete && section.exitCode != nil && !section.truncated, "\(label): section \(section.name)")
    }

    let options = ParseOptions(procByteOrder: meta.procByteOrder)
    for (name, format) in ProbeScript.procNetSections where tables.contains(name) {
      let section = try #require(output[name], "\(label): \(name)")
      let head = String(decoding: section.body.prefix(300), as: UTF8.self)
      #expect(section.exitCode == 0, "\(label): \(name) rc \(String(describing: section.exitCode)): \(head)")
      let parsed = try #require(CaptureParser.parse(section.body, as: format, options: options))
      #expect(parsed.report.linesRead > 0, "\(label): \(name) empty")
      #expect(parsed.report.unparsedCount == 0, "\(label): \(name) \(parsed.report.unparsed.prefix(3))")
    }
    let listener = ProbeListeners.shared
    let snapshot = SnapshotAssembler.assemble(output)
    #expect(snapshot.provenance.kernelTablesRead && !snapshot.provenance.isDegraded, "\(label): \(snapshot.provenance.degraded)")
    #expect(!snapshot.provenance.problems.contains { $0.contains("TCP sockets read from") }, "\(label): \(snapshot.provenance.problems)")
    #expect(
      snapshot.sockets.contains {
        $0.proto == .tcp && $0.inode == listener.tcpInode && $0.local?.port == listener.tcpPort && $0.isListening
          && $0.uid == geteuid()
      }, "\(label): own listener")
    if resolved == .ss {
      let source = String(decoding: try #require(output[.tcpSource]).body, as: UTF8.self)
      #expect(ssTCP ? source == "ss\n" : source.hasPrefix("proc-net-cheaper "), "\(label): \(source)")
    }
    let unixSection = try #require(output["proc-net-unix"])
    let unix = try #require(CaptureParser.parse(unixSection.body, as: .procNetUnix))
    #expect(unix.sockets.contains { $0.inode == listener.unixInode && $0.unix?.path == listener.unixPath }, "\(label): own unix listener")
    // The addresses from /proc are the ones `ip` lists, names and prefixes alike (the lab's
    // hosts check the same against their truth).
    var addresses = Set<InterfaceAddress>()
    for name in [ProbeSectionName.addressesIfInet6, .addressesIPv4] {
      let section = try #require(output[name], "\(label): \(name)")
      #expect(section.exitCode == 0, "\(label): \(name)")
      addresses.formUnion(InterfaceAddressParser.parse(section.body))
    }
    let loopback = try #require(IPv4Address("127.0.0.1"))
    #expect(addresses.contains(InterfaceAddress(interface: "lo", address: .ipv4(loopback), prefixLength: 8)), "\(label): \(addresses)")
    // Compared only when `ip` lists the same before and after (another lab coming up on this
    // machine adds interfaces meanwhile).
    if let ip = ProbeListeners.ipAddresses, ip == ProbeListeners.currentIPAddresses() {
      #expect(addresses == ip, "\(label): /proc \(addresses.subtracting(ip)) ip \(ip.subtracting(addresses))")
    }

    // Who holds this test's own listener: its pid, read by the identity section.
    // Their links (exe, network namespace) come from the one stat.
    let identities = ProcessIdentityParser.parse(try #require(output[.processIdentity]).body + stat.linkLines)
    #expect(identities.report.unparsedCount == 0, "\(label): \(identities.report.unparsed.prefix(3))")
    let range = fileText("/proc/sys/net/ipv4/ip_local_port_range")?.split(whereSeparator: { $0 == " " || $0 == "\t" })
    #expect(identities.ephemeralPorts == range.map { PortRange(first: UInt16($0[0]) ?? 0, last: UInt16($0[1]) ?? 0) }, "\(label)")
    if meta.isRoot, let own = identities.processes.first(where: { $0.pid == getpid() }) {
      let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
      #expect(own.executable == exe && own.executableDeleted == false, "\(label): \(own)")
      #expect(own.effectiveUID == geteuid() && own.effectiveUser == "root", "\(label)")
      #expect(own.networkNamespace != nil && own.parentPID == getppid(), "\(label)")
      // The clock ticks come from awk's own start, busybox's included.
      let started = try #require(own.startTime, "\(label): start time")
      #expect(abs(started - Int64(Date().timeIntervalSince1970)) < 24 * 3600, "\(label): start \(started)")
      if !busyboxOnly { #expect(own.arguments == CommandLine.arguments, "\(label)") }
    } else if meta.isRoot && !busyboxOnly && resolved != .netstat {
      Issue.record("\(label): the identity section lacks this process (pid \(getpid()))")
    }

    // Without root, `stat` may be refused for another program's socket in a private folder
    // (a browser's /tmp/org.chromium.*/SingletonSocket) or an owner's links (exit 1, stat's
    // words in the section); this test's own socket must be listed.
    let statSection = try #require(output[.stat])
    #expect(
      statSection.exitCode == 0 || statSection.exitCode == 1,
      "\(label): stat \(String(decoding: statSection.body.prefix(500), as: UTF8.self))")
    #expect(
      stat.unixModes.contains(UnixSocketMode(path: listener.unixPath, mode: "666", owner: "root")), "\(label): unix modes \(stat.unixModes)"
    )

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
      let section = try #require(output["ss"])
      #expect(section.exitCode == 0, "\(label): ss")
      let tcp = try #require(CaptureParser.parse(section.body, as: .ss, options: options))
      #expect(tcp.report.unparsedCount == 0, "\(label): ss \(tcp.report.unparsed.prefix(3))")
      // One ss for everything, connected Unix sockets filtered out on the host.
      let unix = tcp.sockets.filter { $0.proto == .unix }
      #expect(unix.allSatisfy { $0.state == .listen || $0.state == .unconnected }, "\(label): \(unix.map(\.state))")
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
    // The busybox folder stands for the host's standard directories too.
    let script = ProbeScript.make(nonce: Self.nonce, method: method, standardPath: directory)
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
      #expect(output[.stat]?.complete == true)
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
    let script =
      ProbeScript.prelude(nonce: Self.nonce, sectionCap: 1 << 20) + """
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
    let script =
      ProbeScript.prelude(nonce: Self.nonce, sectionCap: cap) + #"""
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
    let script =
      ProbeScript.prelude(nonce: Self.nonce, sectionCap: 1 << 24) + ProbeScript.probeFunctions + #"""
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
    #expect(
      fake.dropFirst().first?.hasSuffix(
        " 7 \(shell.argv[0].hasSuffix("busybox") ? "busybox" : shell.argv[0].hasSuffix("bash") ? "bash" : "sh")") == true)
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

  @Test(arguments: [
    ("uid=1000650000 gid=0(root) groups=0(root)", "uid=1000650000\neuid=1000650000\nuser=\n"),
    ("uid=1000(fp user) gid=1000(fp) groups=1000(fp)", "uid=1000\neuid=1000\nuser=fp user\n"),
    ("uid=1000(fp) gid=1000(fp) euid=0(root) groups=1000(fp)", "uid=1000\neuid=0\nuser=root\n"),
  ])
  func idIsParsedWithoutTakingTheGroupForTheUser(id: String, expected: String) throws {
    // A uid without a passwd entry (OpenShift's) prints no name: the next "(" is the group's.
    // A folder per case: the cases of one parameterised test run at the same time.
    let bin = FileManager.default.temporaryDirectory.appendingPathComponent("fp-id-\(UUID().uuidString)").path
    try? FileManager.default.removeItem(atPath: bin)
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: bin) }
    try "#!/bin/sh\necho '\(id)'\n".write(toFile: bin + "/id", atomically: true, encoding: .utf8)
    chmod(bin + "/id", 0o755)
    let script = ProbeScript.probeFunctions + "fp_ids\n"
    let run = try ProbeShell.run(["/bin/sh", "-s"], input: Array(script.utf8), environment: ["PATH": bin + ":/usr/bin:/bin"])
    #expect(String(decoding: run.stdout, as: UTF8.self) == expected)
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
      // Bashisms and features dash or busybox lack, in the shell text (the identity
      // section's awk programs are awk, where `function` and `==` are POSIX).
      let shell = script.replacingOccurrences(of: ProbeScript.oneAwk, with: "")
      #expect(shell.count < script.count - 1000, "the awk programs are in the script")
      // The program goes to awk in single quotes: one inside would end it.
      #expect(!ProbeScript.oneAwk.contains("'"), "a single quote in the awk program")
      for bashism in [
        " [[ ", "pipefail", "$'", "function ", "local ", "<<<", "${!", "declare ", "source ", "==", "&>", "$RANDOM", "echo -e", "|&",
      ] {
        #expect(!shell.contains(bashism), "\(method): \(bashism)")
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
}

extension ProbeTests {
  /// A host without awk: the shell's own sections (meta, tables by `head`, ss as it is, the Unix
  /// modes) still make a snapshot, only without identities.
  @Test func aHostWithoutAwkStillGetsEverySocket() throws {
    let busybox = try #require(ProbeShell.busybox)
    let ss = try #require(
      ["/usr/bin/ss", "/bin/ss", "/usr/sbin/ss", "/sbin/ss"].first { FileManager.default.isExecutableFile(atPath: $0) })
    _ = ProbeListeners.shared
    let dir = "/tmp/fp-probe-noawk-\(getpid())"
    mkdir(dir, 0o755)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let list = try ProbeShell.run([busybox, "--list"], input: [])
    for name in String(decoding: list.stdout, as: UTF8.self).split(separator: "\n") where name != "awk" {
      symlink(busybox, dir + "/" + name)
    }
    symlink(ss, dir + "/ss")
    let script = ProbeScript.make(nonce: Self.nonce, method: .ss, standardPath: dir)
    let run = try ProbeShell.run([busybox, "sh", "-s"], input: Array(script.utf8), environment: ["PATH": dir, "HOME": "/"])
    let output = ProbeOutput.parse(run.stdout, nonce: Self.nonce)
    #expect(run.status == 0 && output.finished && output.problems.isEmpty, "\(output.problems)")
    #expect(output[.processIdentity] == nil && output[.stat] == nil)
    let snapshot = SnapshotAssembler.assemble(output)
    #expect(snapshot.provenance.kernelTablesRead && snapshot.meta.method == .ss && snapshot.meta.capTool == "head")
    let listener = ProbeListeners.shared
    #expect(snapshot.sockets.contains { $0.inode == listener.tcpInode && $0.isListening })
    #expect(snapshot.unixSocketModes.contains(UnixSocketMode(path: listener.unixPath, mode: "666", owner: "root")))
    #expect(output[.ss]?.exitCode == 0)
  }
}
