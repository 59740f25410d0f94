import FleetPortsCore
import FleetPortsSSH
import FleetPortsScan
import Foundation
import LabSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Issue 17 on a real sshd on 127.0.0.1: every login shell and its noise is scanned (the
/// listeners are this machine's, as `ss` shows them), and every host that cannot be read says
/// why in its own words. Test users are made with useradd and removed at the end.
@Suite(.loopbackSSHD, .serialized) struct LoopbackLoginTests {
  /// A user, its login shell and the login file that makes noise and breaks PATH.
  struct Login {
    var user: String
    var shell: String
    var file: String?
    var text: String = ""
  }

  static func scanner(_ sshd: LoopbackSSHD, parallel: Int = 8, timeout: Duration = .seconds(30)) throws -> FleetScanner {
    let key = Array(try Data(contentsOf: URL(fileURLWithPath: sshd.clientKeyPath)))
    return FleetScanner(
      knownHosts: try KnownHostsStore(path: sshd.knownHostsPath), checking: .strict, identities: [:],
      defaultIdentities: [SSHIdentity(path: sshd.clientKeyPath, privateKey: key)], agentSocket: nil, method: .auto, parallel: parallel,
      deadlines: SSHDeadlines(connect: .seconds(10), handshakeAndAuth: timeout, command: timeout))
  }

  static func target(_ sshd: LoopbackSSHD, _ user: String, name: String? = nil, sudo: Bool = false) -> ScanTarget {
    ScanTarget(name: name ?? user, address: "127.0.0.1", port: sshd.port, user: user, identityFile: nil, groups: [], sudo: sudo)
  }

  /// Checks that `snapshot` lists what `ss` showed before and after the scan (listeners of
  /// other programs on this shared machine may come and go meanwhile).
  static func expectListenersOfThisMachine(_ snapshot: HostSnapshot?, before: Set<ListenerKey>, after: Set<ListenerKey>, _ label: String) {
    guard let snapshot else {
      Issue.record("\(label): not scanned")
      return
    }
    // `ss` shows this namespace's; other namespaces (a lab up meanwhile) are the probe's extra.
    let seen = Set(snapshot.listeners.filter { $0.netns == nil }.compactMap(ListenerKey.init))
    #expect(before.intersection(after).isSubset(of: seen), "\(label): missing \(before.intersection(after).subtracting(seen))")
    #expect(seen.isSubset(of: before.union(after)), "\(label): extra \(seen.subtracting(before.union(after)))")
  }

  @Test func everyLoginShellIsScannedWhateverItsLoginFilesPrint() async throws {
    let sshd = try LoopbackSSHD()
    defer { sshd.stop() }
    // busybox runs as ash only under that name.
    let ash = sshd.directory + "/ash"
    symlink("/bin/busybox", ash)
    var logins = [
      Login(user: "fp17bash", shell: "/bin/bash", file: ".bashrc", text: "printf 'Welcome'\nPATH=/nonexistent\n"),
      Login(user: "fp17dash", shell: "/bin/dash"),
      Login(user: "fp17ash", shell: ash),
      Login(user: "fp17zsh", shell: "/usr/bin/zsh", file: ".zshenv", text: "printf '\\033[0m'\nPATH=/nonexistent\n"),
      Login(user: "fp17fish", shell: "/usr/bin/fish", file: ".config/fish/config.fish", text: "printf 'fish says hi'\nset -gx PATH /nonexistent\n"),
      Login(user: "fp17tcsh", shell: "/usr/bin/tcsh", file: ".cshrc", text: "echo -n 'tcsh says hi'\nsetenv PATH /nonexistent\n"),
      Login(user: "fp17csh", shell: "/usr/bin/bsd-csh", file: ".cshrc", text: "echo -n 'csh says hi'\nsetenv PATH /nonexistent\n"),
      // A banner bigger than a pipe's buffer, cut mid-line.
      Login(user: "fp17banner", shell: "/bin/bash", file: ".bashrc", text: "head -c 300000 /dev/zero | tr '\\0' '#'\n"),
    ]
    logins.removeAll { !FileManager.default.isExecutableFile(atPath: $0.shell) }
    #expect(logins.count == 8, "zsh, fish, tcsh and csh come with make setup")
    defer { for login in logins { LoopbackUsers.remove(login.user) } }
    for login in logins {
      try LoopbackUsers.create(login.user, shell: login.shell)
      guard let file = login.file else { continue }
      let path = "/home/\(login.user)/\(file)"
      try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try login.text.write(toFile: path, atomically: true, encoding: .utf8)
      _ = try ChildProcess.run(["/bin/chown", "-R", "\(login.user):", "/home/\(login.user)"], timeout: .seconds(30))
    }
    let before = try LocalListeners.now()
    let (hosts, _) = await try Self.scanner(sshd).scan(logins.map { Self.target(sshd, $0.user) })
    let after = try LocalListeners.now()
    for (login, host) in zip(logins, hosts) {
      #expect(host.status == .ok, "\(login.user) (\(login.shell)): \(host.failure?.message ?? "")\n\(sshd.log.suffix(2000))")
      Self.expectListenersOfThisMachine(host.snapshot, before: before, after: after, login.user)
    }
  }

  @Test func hostsThatRunNoProbeSayWhyInTheirOwnWords() async throws {
    let forced = "Match User fp17force\n  ForceCommand /bin/echo 'Welcome to the jump box: menus only.'"
    let sshd = try LoopbackSSHD(matchBlocks: [forced])
    defer { sshd.stop() }
    let users = [
      ("fp17nologin", "/usr/sbin/nologin"), ("fp17false", "/bin/false"), ("fp17force", "/bin/bash"), ("fp17noisy", "/bin/bash"),
    ]
    defer { for (user, _) in users { LoopbackUsers.remove(user) } }
    for (user, shell) in users { try LoopbackUsers.create(user, shell: shell) }
    // Login noise past the 64 MiB output cap.
    try "head -c \(SSHClient.defaultOutputCap + 1_000_000) /dev/zero | tr '\\0' 'x'\n".write(
      toFile: "/home/fp17noisy/.bashrc", atomically: true, encoding: .utf8)
    let (hosts, _) = await try Self.scanner(sshd, timeout: .seconds(60)).scan(users.map { Self.target(sshd, $0.0) })
    let byUser = Dictionary(uniqueKeysWithValues: hosts.map { ($0.user, $0) })
    let nologin = try #require(byUser["fp17nologin"]?.failure)
    #expect(nologin.message.contains("nologin") && nologin.message.contains("\"This account is currently not available.\""), "\(nologin.message)")
    let falseShell = try #require(byUser["fp17false"]?.failure)
    #expect(falseShell.message.contains("/bin/false"), "\(falseShell.message)")
    let force = try #require(byUser["fp17force"]?.failure)
    #expect(force.message.contains("ForceCommand") && force.message.contains("\"Welcome to the jump box: menus only.\""), "\(force.message)")
    let noisy = try #require(byUser["fp17noisy"]?.failure)
    #expect(noisy.code == .outputTooLarge && noisy.message.contains("\"xxxx"), "\(noisy.message)")
    for host in hosts { #expect(!(host.failure?.message.contains("\\x0a") ?? false), "\(host.name): \(host.failure?.message ?? "")") }
  }

  @Test func requirettyGetsTheSudoersLineThatFixesIt() async throws {
    let sshd = try LoopbackSSHD()
    defer { sshd.stop() }
    let user = "fp17tty"
    try LoopbackUsers.create(user, shell: "/bin/sh")
    let sudoers = "/etc/sudoers.d/fp17tty"
    defer {
      unlink(sudoers)
      LoopbackUsers.remove(user)
    }
    try "Defaults:\(user) requiretty\n\(user) ALL=(ALL) NOPASSWD: ALL\n".write(toFile: sudoers, atomically: true, encoding: .utf8)
    chmod(sudoers, 0o440)
    let (hosts, _) = await try Self.scanner(sshd).scan([Self.target(sshd, user, sudo: true)])
    let failure = try #require(hosts.first?.failure)
    #expect(failure.code == .sudoRefused)
    #expect(failure.message.contains("`Defaults:\(user) !requiretty`"), "\(failure.message)")
    #expect(failure.message.contains("\"sudo: sorry, you must have a tty to run sudo\""), "\(failure.message)")
  }
}
