import Foundation
import Testing

@testable import FleetPortsCore

/// With method ss the probe takes TCP sockets from ss's netlink dump and reads /proc/net/tcp*
/// only when ss's output could be forged: ss prints a Unix socket's path raw, newlines and
/// all, so a local user can bind a socket whose path prints as TCP lines. Each test runs the
/// real probe and the real ss in a network namespace of its own (root only) holding a TCP
/// listener of python3 on 127.0.0.1 and, for the hostile cases, such a Unix socket.
@Suite struct ProbeTCPSourceTests {
  /// A python3 that binds `unixPath` (when given) and 127.0.0.1:7411, says so in `ready`, and
  /// exits when the probe's shell (its parent) is gone, or after 30 s.
  static func sockets(unixPath: String?, ready: String) -> String {
    let unix = unixPath.map { "u=socket.socket(socket.AF_UNIX);u.bind(\($0.debugDescription));u.listen();" } ?? ""
    let path = unixPath.map { "os.unlink(\($0.debugDescription))" } ?? "pass"
    return """
      import os,socket,time
      p=os.getppid()
      \(unix)t=socket.socket();t.bind(("127.0.0.1",7411));t.listen()
      open(\(ready.debugDescription),"w").close()
      for i in range(300):
          if os.getppid()!=p: break
          time.sleep(0.1)
      \(path)
      """
  }

  /// Whether this machine can run the namespace tests: root, unshare(1), a cgroup.stat.
  static let inNamespaces = ProbeShell.isRoot && ProbeShell.unshare != nil && cgroupStat != nil

  /// The cgroup2 root's `cgroup.stat` where ss would find it (a v2 or hybrid layout), if any.
  static let cgroupStat = ["/sys/fs/cgroup/cgroup.stat", "/sys/fs/cgroup/unified/cgroup.stat"].first {
    FileManager.default.fileExists(atPath: $0)
  }

  /// The real probe and ss in a network namespace of their own, and a mount namespace in which
  /// a copy of `cgroup.stat` saying `cgroups` is bound over the real one: the probe's choice
  /// between `ss -e` and the TCP tables (`fp_ssflags`) is then the test's, not this machine's.
  static func probe(unixPath: String?, cgroups: Int = 0) throws -> (output: ProbeOutput, snapshot: HostSnapshot) {
    let ready = "/tmp/fp-tcp-source-\(getpid())-\(UUID().uuidString.prefix(6)).ready"
    let program = "/tmp/fp-tcp-source-\(getpid())-\(UUID().uuidString.prefix(6)).py"
    let stat = "/tmp/fp-tcp-source-\(getpid())-\(UUID().uuidString.prefix(6)).cgroup.stat"
    try Data(sockets(unixPath: unixPath, ready: ready).utf8).write(to: URL(fileURLWithPath: program))
    try Data("nr_descendants \(cgroups)\nnr_dying_descendants 0\n".utf8).write(to: URL(fileURLWithPath: stat))
    defer {
      for file in [program, ready, stat] { try? FileManager.default.removeItem(atPath: file) }
    }
    let bind = "mount --bind \(stat) \(try #require(cgroupStat))"
    // Bounded: 50 checks of 0.1 s for the sockets to be up.
    let setup =
      "\(bind) && { python3 \(program) </dev/null & } && i=0 && while [ ! -e \(ready) ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done"
    let (run, output) = try ProbeShell.runInNetworkNamespace(setup: setup, ownMounts: true)
    #expect(run.status == 0 && output.finished, "exit \(run.status): \(String(decoding: run.stderr, as: UTF8.self))")
    return (output, SnapshotAssembler.assemble(output))
  }

  static func ssText(_ output: ProbeOutput) -> String {
    String(decoding: output[.ss]?.body ?? [], as: UTF8.self)
  }

  static func tcpSource(_ output: ProbeOutput) -> String {
    String(decoding: output[.tcpSource]?.body ?? [], as: UTF8.self)
  }

  @Test(.enabled(if: Self.inNamespaces, "needs root (network and mount namespaces) and cgroup v2's cgroup.stat"))
  func aPlainHostTakesTCPFromSSAndReadsNoTCPTable() throws {
    let (output, snapshot) = try Self.probe(unixPath: nil)
    #expect(Self.tcpSource(output) == "ss\n")
    #expect(output[.procNet("tcp")] == nil && output[.procNet("tcp6")] == nil && output[.procNet("udp")] != nil)
    let listener = try #require(snapshot.listeners.first { $0.proto == .tcp && $0.local?.port == 7411 })
    #expect(listener.local?.address.description == "127.0.0.1" && listener.processes.map(\.name) == ["python3"])
    #expect(listener.uid == 0 && listener.inode != nil && listener.listenBacklog == 128)
    #expect(snapshot.provenance.kernelTablesRead && !snapshot.provenance.isDegraded, "\(snapshot.provenance.degraded)")
  }

  /// On a host with thousands of cgroups (a Kubernetes node: pods times containers) `ss -e`
  /// would walk them all to name each socket's cgroup, about 40 µs a cgroup (90 ms for 2,000
  /// on this machine kind): reading /proc/net/tcp and tcp6 costs the host less, so ss runs
  /// without -e and the tables are read, as a choice and not a problem. The count is the
  /// cgroup2 root's `cgroup.stat`, here a copy saying 2,000 (`probe(unixPath:cgroups:)`; ss
  /// itself and the tables are real).
  @Test(.enabled(if: Self.inNamespaces, "needs root (network and mount namespaces) and cgroup v2's cgroup.stat"))
  func aHostWithThousandsOfCgroupsReadsTheTCPTablesInstead() throws {
    let (output, snapshot) = try Self.probe(unixPath: nil, cgroups: 2000)
    #expect(Self.tcpSource(output).hasPrefix("proc-net-cheaper 2000 cgroups for ss -e to walk, "), "\(Self.tcpSource(output))")
    #expect(!Self.ssText(output).contains(" ino:"), "ss ran with -e")
    #expect(output[.procNet("tcp")]?.exitCode == 0 && output[.procNet("tcp6")]?.exitCode == 0)
    let listener = try #require(snapshot.listeners.first { $0.proto == .tcp && $0.local?.port == 7411 })
    #expect(listener.processes.map(\.name) == ["python3"] && listener.inode != nil && listener.listenBacklog == 128)
    #expect(!snapshot.provenance.problems.contains { $0.contains("TCP sockets") }, "\(snapshot.provenance.problems)")
    #expect(snapshot.provenance.kernelTablesRead && !snapshot.provenance.isDegraded, "\(snapshot.provenance.degraded)")
  }

  /// A forgery is still named when ss ran without -e: the distrust, not the choice, is what
  /// the host's problems say, and ss's forged line stands in for nothing.
  @Test(.enabled(if: Self.inNamespaces, "needs root (network and mount namespaces) and cgroup v2's cgroup.stat"))
  func aForgeryOnAHostWithThousandsOfCgroupsIsStillNamed() throws {
    let forged = "/tmp/fp\(getpid())\ntcp LISTEN 0 4096 0.0.0.0:31339 0.0.0.0:* users:((\"sshd\",pid=1,fd=3))\nu_str LISTEN 0 0 x"
    let (output, snapshot) = try Self.probe(unixPath: forged, cgroups: 2000)
    #expect(Self.ssText(output).contains("\ntcp LISTEN 0 4096 0.0.0.0:31339"))
    #expect(Self.tcpSource(output).hasPrefix("proc-net line "), "\(Self.tcpSource(output))")
    #expect(!snapshot.sockets.contains { $0.local?.port == 31339 }, "a forged listener was taken")
    #expect(snapshot.provenance.problems.contains { $0.hasPrefix("TCP sockets read from /proc/net/tcp* instead of ss: line ") })
  }

  /// The forged lines sit between two Unix lines: a Unix line after a TCP one.
  @Test(.enabled(if: Self.inNamespaces, "needs root (network and mount namespaces) and cgroup v2's cgroup.stat"))
  func aUnixPathThatForgesATCPListenerSendsTheProbeToProcNet() throws {
    let forged = "/tmp/fp\(getpid())\ntcp LISTEN 0 4096 0.0.0.0:31337 0.0.0.0:* users:((\"sshd\",pid=1,fd=3))\nu_str LISTEN 0 0 x"
    let (output, snapshot) = try Self.probe(unixPath: forged)
    // ss itself printed the forged line: the test is only worth its name if it did.
    #expect(Self.ssText(output).contains("\ntcp LISTEN 0 4096 0.0.0.0:31337"))
    #expect(Self.tcpSource(output).hasPrefix("proc-net line "), "\(Self.tcpSource(output))")
    #expect(output[.procNet("tcp")]?.exitCode == 0 && output[.procNet("tcp6")]?.exitCode == 0)
    #expect(!snapshot.sockets.contains { $0.local?.port == 31337 }, "a forged listener was taken")
    #expect(snapshot.listeners.contains { $0.proto == .tcp && $0.local?.port == 7411 && $0.processes.map(\.name) == ["python3"] })
    #expect(snapshot.provenance.problems.contains { $0.hasPrefix("TCP sockets read from /proc/net/tcp* instead of ss: line ") })
  }

  /// The probe with `ss` replaced by a script printing `capture` (a real ss's stdout and stderr)
  /// and exiting 0, run here as this user.
  static func probe(ssPrinting capture: [UInt8]) throws -> ProbeOutput {
    let dir = "/tmp/fp-fake-ss-\(getpid())-\(UUID().uuidString.prefix(6))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Data(capture).write(to: URL(fileURLWithPath: dir + "/capture"))
    try Data("#!/bin/sh\ncat \(dir)/capture\n".utf8).write(to: URL(fileURLWithPath: dir + "/ss"))
    chmod(dir + "/ss", 0o755)
    var environment = ProbeShell.baseEnvironment
    environment["PATH"] = dir + ":" + (environment["PATH"] ?? "")
    let script = ProbeScript.make(nonce: ProbeTests.nonce, method: .ss)
    let run = try ProbeShell.run(["/bin/sh", "-s"], input: Array(script.utf8), environment: environment)
    let output = ProbeOutput.parse(run.stdout, nonce: ProbeTests.nonce)
    #expect(run.status == 0 && output.finished)
    return output
  }

  /// Without root, ss complains on stderr for each socket whose cgroup its walk of the
  /// hierarchy did not meet (a real capture: a lab host's daemons left in the machine's
  /// cgroup): those lines are ss's, not a forgery, and the TCP lines still stand.
  @Test(.enabled(if: ProbeShell.takesTCPFromSS, "this machine's cgroups make the probe read /proc/net/tcp* without ss -e"))
  func ssComplainingAboutCgroupsIsStillTrusted() throws {
    let capture = try FixtureFiles.bytes("ss-tcp-source/ss-tuaxnpe-cgroup-complaints.out")
    #expect(capture.starts(with: Array("Failed to open cgroup2 by ID\n".utf8)))
    let output = try Self.probe(ssPrinting: capture)
    #expect(Self.tcpSource(output) == "ss\n")
    #expect(output[.procNet("tcp")] == nil)
    let snapshot = SnapshotAssembler.assemble(output)
    // The probe's own network namespace: the lab's hosts, when up, are other ones it also reads.
    #expect(snapshot.sockets.filter { $0.proto == .tcp && $0.netns == nil }.count == 30)
  }

  /// Anything else before ss's header is distrust, and the reason names that line.
  @Test(.enabled(if: ProbeShell.takesTCPFromSS, "this machine's cgroups make the probe read /proc/net/tcp* without ss -e"))
  func aLineBeforeTheHeaderSendsTheProbeToProcNet() throws {
    let capture = try FixtureFiles.bytes("ss-tcp-source/ss-tuaxnpe.out")
    let output = try Self.probe(ssPrinting: Array("ss: something odd\n".utf8) + capture)
    #expect(Self.tcpSource(output) == "proc-net line 1 before the ss header\n")
    #expect(output[.procNet("tcp")]?.exitCode == 0)
  }

  /// The forged line is the path's last: ss's trailer (` <inode> * 0 users:…`) follows it.
  @Test(.enabled(if: Self.inNamespaces, "needs root (network and mount namespaces) and cgroup v2's cgroup.stat"))
  func aForgedLastLineCarriesSSTrailerAndIsRefused() throws {
    let forged = "/tmp/fp\(getpid())\ntcp LISTEN 0 4096 0.0.0.0:31338 0.0.0.0:*"
    let (output, snapshot) = try Self.probe(unixPath: forged)
    #expect(Self.ssText(output).contains("\ntcp LISTEN 0 4096 0.0.0.0:31338 0.0.0.0:* "))
    #expect(Self.tcpSource(output).hasPrefix("proc-net line "), "\(Self.tcpSource(output))")
    #expect(!snapshot.sockets.contains { $0.local?.port == 31338 }, "a forged listener was taken")
    #expect(snapshot.listeners.contains { $0.proto == .tcp && $0.local?.port == 7411 })
  }
}
