import FleetPortsCore
import FleetPortsScan
import Foundation
import LabSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Issue 20: what the probe costs a host, counted on the lab's real sshd. `strace -f` attached
/// to a host's sshd sees every program started for a scan's session, from the login shell sshd
/// starts down; sshd's own re-exec for the connection is not the probe's.
@Suite(.labFleet) struct ProbeCostLabTests {
  /// The programs the host started (successful execve) while fleetports scanned it as `user`.
  static func programsStarted(on host: LabHost, lab: LabFleet, user: String, method: ProbeMethod) async throws -> [String] {
    let sshd = try #require(sshdPID(of: host), "\(host.name): no sshd found in its namespace")
    let trace = FileManager.default.temporaryDirectory.appendingPathComponent("fp-execve-\(getpid())-\(host.name)-\(user).txt").path
    defer { try? FileManager.default.removeItem(atPath: trace) }
    let strace = try #require(["/usr/bin/strace", "/bin/strace"].first { FileManager.default.isExecutableFile(atPath: $0) })
    // strace detaches (and writes its last lines) on SIGINT: `timeout` sends it after a bound
    // the scan stays well within; ChildProcess starts it with no signal blocked.
    let argv = [
      "/usr/bin/timeout", "-s", "INT", "10", strace, "-f", "-qq", "-z", "-s", "65536", "-e", "trace=execve", "-e", "signal=none", "-o",
      trace, "-p",
      String(sshd),
    ]
    let traced = Task.detached { try? ChildProcess.run(argv, timeout: .seconds(30)) }
    for _ in 0..<100 where !FileManager.default.fileExists(atPath: trace) { try await Task.sleep(for: .milliseconds(20)) }
    try await Task.sleep(for: .milliseconds(500))
    let (results, _) = try await LabScan.scanner(lab, method: method).scan([LabScan.target(host, user: user)])
    #expect(results.first?.status == .ok, "\(host.name) as \(user): \(results.first?.failure?.message ?? "")")
    _ = await traced.value
    let text = String(decoding: FileManager.default.contents(atPath: trace) ?? Data(), as: UTF8.self)
    var programs: [String] = []
    for line in text.split(separator: "\n") where line.contains("execve(\"") {
      // The marker secret (nonce and host key: 64 hex digits) in any program's arguments
      // would be readable by every local user in /proc/<pid>/cmdline while it runs.
      #expect(!Self.holdsMarkerSecret(line), "a program's arguments carry the marker secret: \(line.prefix(300))")
      guard let open = line.range(of: "execve(\"") else { continue }
      let path = String(line[open.upperBound...].prefix { $0 != "\"" })
      let name = path.split(separator: "/").last.map(String.init) ?? path
      if name == "sshd" || name.hasPrefix("sshd-") { continue }  // sshd re-executing itself for the connection
      programs.append(path)
    }
    return programs
  }

  /// True when `line` holds 32 or more lowercase hex digits in a row (the nonce alone is 32).
  static func holdsMarkerSecret(_ line: Substring) -> Bool {
    var run = 0
    for byte in line.utf8 {
      run = (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102) ? run + 1 : 0
      if run >= 32 { return true }
    }
    return false
  }

  /// The namespace inode a /proc/P/ns/net link names (`net:[4026531840]`), or nil.
  static func namespaceInode(ofProcess pid: Int32) -> UInt64? {
    guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net"),
      target.hasPrefix("net:["), target.hasSuffix("]")
    else { return nil }
    return UInt64(target.dropFirst(5).dropLast())
  }

  /// The host's listening sshd: a process called sshd in the host's network namespace whose
  /// parent is not one.
  static func sshdPID(of host: LabHost) -> Int32? {
    // Inodes through FileManager, not `stat()`: which C module owns `struct stat` differs from
    // build to build here, and MemberImportVisibility then wants that module imported. The
    // namespace's file under /run/netns is the nsfs inode itself.
    guard
      let namespace = (try? FileManager.default.attributesOfItem(atPath: "/run/netns/\(host.namespace)"))?[.systemFileNumber]
        as? UInt64
    else { return nil }
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for entry in entries {
      guard let pid = Int32(entry) else { continue }
      guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8), comm == "sshd\n" else { continue }
      guard namespaceInode(ofProcess: pid) == namespace else { continue }
      let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
      guard let close = status.range(of: ") ", options: .backwards) else { continue }
      let fields = status[close.upperBound...].split(separator: " ")
      guard fields.count > 1, let parent = Int32(fields[1]) else { continue }
      let parentComm = (try? String(contentsOfFile: "/proc/\(parent)/comm", encoding: .utf8)) ?? ""
      if parentComm != "sshd\n" { return pid }
    }
    return nil
  }

  /// `--method ss` on a host without containers or firewall rules: at most 5 programs in all
  /// (login shell, sh, ss, awk, stat) as the lab's non-root user. As root `nft` reads the rules
  /// too (this kernel has nf_tables built in, so rules could exist): six, and no
  /// iptables-nft-save (nft's JSON of an empty ruleset has no `xt` expression) and no `head`.
  @Test func theProbeStartsAtMostFiveProgramsOnAQuietHost() async throws {
    let lab = try LabFleet.forTests()
    let quiet = try #require(
      lab.hosts.first { $0.hasSS && $0.firewall == nil && ($0.containers ?? []).isEmpty && $0.index % 12 != 6 },
      "the lab has a host without firewall and containers")
    let programs = try await Self.programsStarted(on: quiet, lab: lab, user: "fpuser", method: .ss)
    print("probe programs: \(quiet.name) --method ss as fpuser: \(programs.count): \(programs)")
    #expect(!programs.isEmpty, "strace saw the session")
    #expect(programs.count <= 5, "\(programs)")
    let asRoot = try await Self.programsStarted(on: quiet, lab: lab, user: "root", method: .ss)
    print("probe programs: \(quiet.name) --method ss as root: \(asRoot.count): \(asRoot)")
    #expect(asRoot.count <= 6, "\(asRoot)")
    #expect(asRoot.filter { $0.split(separator: "/").last == "nft" }.count == 1, "\(asRoot)")
  }
}
