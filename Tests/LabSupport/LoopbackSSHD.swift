import FleetPortsCore
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A real OpenSSH sshd of the test's own on 127.0.0.1 at a free high port: its own folder,
/// host key, client key, known_hosts and sshd_config (`UsePAM no`, `StrictModes no`, one
/// authorized_keys file for every user, `Match User` blocks per test). Started with
/// `sshd -D -e` after `sshd -t`, stopped by its pid in `stop()`. Needs root (sshd switches
/// to the login user); `.loopbackSSHD` skips the tests otherwise.
public final class LoopbackSSHD: Sendable {
  /// The folder holding every file of this server (mode 0755: sshd reads authorized_keys as
  /// the login user).
  public let directory: String
  public let port: Int
  /// A known_hosts file that holds this server's host key for `[127.0.0.1]:port`.
  public let knownHostsPath: String
  /// An unencrypted Ed25519 client key (0600) that authorized_keys lets in for every user.
  public let clientKeyPath: String
  /// sshd's own log (`-e`), for failure messages.
  public let logPath: String
  let pid: pid_t

  /// True when this process can run the server (root, and /usr/sbin/sshd installed).
  public static var canRun: Bool { geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") }

  /// Starts a server.
  /// - Parameters:
  ///   - config: extra sshd_config lines placed before the `Match` blocks (e.g. `MaxStartups 3:30:10`).
  ///   - matchBlocks: `Match` blocks, each whole (`Match User fp17force\n  ForceCommand …`).
  ///   - extraAuthorizedKeys: more public keys (authorized_keys lines) to let in.
  /// - Throws: `ChildProcessError` when a key cannot be made, the config is refused or the
  ///   server does not listen within 10 s.
  public init(config: String = "", matchBlocks: [String] = [], extraAuthorizedKeys: [String] = []) throws {
    let dir = NSTemporaryDirectory() + "fp-sshd-\(UUID().uuidString.prefix(8))"
    try Self.check(FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true))
    chmod(dir, 0o755)
    directory = dir
    knownHostsPath = dir + "/known_hosts"
    clientKeyPath = dir + "/id_ed25519"
    logPath = dir + "/sshd.log"
    for key in [dir + "/host_ed25519", clientKeyPath] {
      let made = try ChildProcess.run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "fp17", "-f", key], timeout: .seconds(60))
      guard made.status == 0 else { throw ChildProcessError("ssh-keygen \(key): \(made.stderrText)") }
    }
    let clientPublic = try Self.read(clientKeyPath + ".pub")
    let authorized = ([clientPublic] + extraAuthorizedKeys).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: "\n")
    try Self.write(authorized + "\n", to: dir + "/authorized_keys", mode: 0o644)
    // sshd's privilege-separation folder, which a container without a running sshd lacks.
    mkdir("/run/sshd", 0o755)
    var lastError = "no attempt"
    for _ in 0..<5 {
      let port = Self.freePort()
      let text = """
        Port \(port)
        ListenAddress 127.0.0.1
        HostKey \(dir)/host_ed25519
        PidFile \(dir)/sshd.pid
        AuthorizedKeysFile \(dir)/authorized_keys
        UsePAM no
        StrictModes no
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PubkeyAuthentication yes
        PermitRootLogin prohibit-password
        LogLevel VERBOSE
        PrintMotd no
        PrintLastLog no
        \(config)
        \(matchBlocks.joined(separator: "\n"))

        """
      try Self.write(text, to: dir + "/sshd_config", mode: 0o644)
      let tested = try ChildProcess.run(["/usr/sbin/sshd", "-t", "-f", dir + "/sshd_config"], timeout: .seconds(30))
      guard tested.status == 0 else { throw ChildProcessError("sshd -t refused the config: \(tested.stderrText)\n\(text)") }
      // The server outlives this shell (its output goes to the log, so no pipe stays open);
      // the shell prints its pid.
      let started = try ChildProcess.run(
        ["/bin/sh", "-c", "/usr/sbin/sshd -D -e -f \"$1\" >\"$2\" 2>&1 </dev/null & echo $!", "sh", dir + "/sshd_config", logPath],
        timeout: .seconds(30))
      guard let child = pid_t(started.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw ChildProcessError("sshd did not start: \(started.stderrText)")
      }
      if Self.waitUntilListening(port: port) {
        self.port = port
        self.pid = child
        let hostPublic = try Self.read(dir + "/host_ed25519.pub").split(separator: " ")
        try Self.write("[127.0.0.1]:\(port) \(hostPublic[0]) \(hostPublic[1])\n", to: knownHostsPath, mode: 0o644)
        return
      }
      kill(child, SIGTERM)
      lastError = (try? Self.read(logPath)) ?? "no log"
    }
    throw ChildProcessError("sshd did not listen: \(lastError)")
  }

  deinit { stop() }

  /// Stops the server (its pid; sessions it forked end with their connections) and removes its folder.
  public func stop() {
    if kill(pid, SIGTERM) == 0 {
      for _ in 0..<50 where kill(pid, 0) == 0 { usleep(20_000) }
    }
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// sshd's log so far, for a failed expectation's message.
  public var log: String { (try? Self.read(logPath)) ?? "" }

  static func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { Glibc.close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  static func waitUntilListening(port: Int) -> Bool {
    for _ in 0..<100 {
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      var address = sockaddr_in()
      address.sin_family = sa_family_t(AF_INET)
      address.sin_addr.s_addr = inet_addr("127.0.0.1")
      address.sin_port = in_port_t(UInt16(port).bigEndian)
      let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
      }
      Glibc.close(fd)
      if rc == 0 { return true }
      usleep(100_000)
    }
    return false
  }

  static func check(_ body: @autoclosure () throws -> Void) throws(ChildProcessError) {
    do { try body() } catch { throw ChildProcessError("\(error)") }
  }

  static func read(_ path: String) throws(ChildProcessError) -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw ChildProcessError("cannot read \(path)") }
    return String(decoding: data, as: UTF8.self)
  }

  static func write(_ text: String, to path: String, mode: mode_t) throws(ChildProcessError) {
    guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { throw ChildProcessError("cannot write \(path)") }
    chmod(path, mode)
  }
}

/// Local users for login-shell tests, made with `useradd` and removed with `userdel -r`.
public enum LoopbackUsers {
  /// Creates `name` with login shell `shell` and an unlocked, unusable password (`*`: sshd
  /// without PAM refuses a locked `!` account even for keys), removing any leftover first.
  /// - Throws: `ChildProcessError` when useradd fails.
  public static func create(_ name: String, shell: String) throws {
    remove(name)
    let made = try ChildProcess.run(["/usr/sbin/useradd", "-m", "-s", shell, name], timeout: .seconds(60))
    guard made.status == 0 else { throw ChildProcessError("useradd \(name): \(made.stderrText)") }
    let unlocked = try ChildProcess.run(["/usr/sbin/usermod", "-p", "*", name], timeout: .seconds(60))
    guard unlocked.status == 0 else { throw ChildProcessError("usermod \(name): \(unlocked.stderrText)") }
  }

  /// Deletes `name` and its home folder; nothing happens when it does not exist.
  public static func remove(_ name: String) {
    _ = try? ChildProcess.run(["/usr/sbin/userdel", "-r", "-f", name], timeout: .seconds(60))
  }
}

/// What this machine listens on (TCP and UDP), from `ss -H -tuanp` parsed by fleetports' own
/// parser: the truth a loopback scan of this machine is compared with.
public enum LocalListeners {
  /// The listener keys `ss` shows now.
  /// - Throws: `ChildProcessError` when ss cannot run.
  public static func now() throws -> Set<ListenerKey> {
    let ran = try ChildProcess.run(["/usr/bin/env", "ss", "-H", "-tuanp"], timeout: .seconds(60))
    guard ran.status == 0 else { throw ChildProcessError("ss: \(ran.stderrText)") }
    return Set(SSParser.parse(ran.stdout).sockets.compactMap(ListenerKey.init))
  }
}

extension Trait where Self == ConditionTrait {
  /// Runs the test only where it can start its own sshd on 127.0.0.1 (root, sshd installed) and
  /// reports it as skipped otherwise; with `FLEETPORTS_REQUIRE_LAB=1` (`make test` as root) it
  /// always runs, so a machine that cannot run it fails instead of skipping.
  public static var loopbackSSHD: Self {
    .enabled(if: LabFleet.isRequired || LoopbackSSHD.canRun, "needs root and /usr/sbin/sshd: its own sshd on 127.0.0.1 and test users")
  }
}
