import CFleetShims
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A ProxyCommand child: `/bin/sh -c "exec <command>"` whose stdin and stdout are one end of
/// a socketpair (the other end is the SSH session's socket), its stderr another socketpair, kept (bounded)
/// for the row's reason. Started with `posix_spawn` directly rather than swift-subprocess:
/// the session needs a plain descriptor it drives through the reactor, the child must share
/// one socket as stdin and stdout, and teardown has to be synchronous (kill and reap in
/// `SSHConnection.close`, which runs outside async code); swift-subprocess owns its pipes
/// and its child's lifetime in an async scope, which fits none of the three.
///
/// The child gets its own process group, so `stop` reaches whatever the shell started
/// (`ssh -W`, `nc`), and default signal handling (fleetports ignores SIGPIPE; the child
/// must not inherit that).
final class ProxyCommandProcess {
  /// Bytes of stderr kept for the message; the rest is dropped.
  static let stderrCap = 2048

  let pid: pid_t
  /// Read end of the child's stderr (non-blocking); -1 once closed.
  private var stderrFD: Int32
  private var stderrBytes: [UInt8] = []
  private var status: Int32?

  private init(pid: pid_t, stderrFD: Int32) {
    self.pid = pid
    self.stderrFD = stderrFD
  }

  deinit { stop() }

  /// Starts `line` under `/bin/sh -c`.
  /// - Returns: the session's end of the socketpair (non-blocking, close-on-exec) and the child.
  /// - Throws: `SSHError(.proxyCommandFailed)` when the socketpair, the pipe or the spawn fails.
  static func start(_ line: String, template: String) throws(SSHError) -> (fd: Int32, process: ProxyCommandProcess) {
    func failure(_ what: String, _ code: Int32) -> SSHError {
      SSHError(
        .proxyCommandFailed(command: template, exit: "not started", stderr: "", reason: "\(what): \(String(cString: strerror(code)))"))
    }
    var pair: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
      throw failure("socketpair", errno)
    }
    // stderr through a socketpair too: made close-on-exec atomically, so a child another thread
    // spawns meanwhile cannot inherit it (pipe2 is not exported to Swift without _GNU_SOURCE).
    var pipeFDs: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pipeFDs) == 0 else {
      let code = errno
      Glibc.close(pair[0])
      Glibc.close(pair[1])
      throw failure("socketpair for stderr", code)
    }
    shutdown(pipeFDs[0], Int32(SHUT_WR))
    // Ours are non-blocking; the child's ends stay blocking, as a program expects its stdio.
    _ = fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK)
    _ = fcntl(pipeFDs[0], F_SETFL, fcntl(pipeFDs[0], F_GETFL) | O_NONBLOCK)

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    // dup2 clears close-on-exec on the copies; every other descriptor of ours is close-on-exec.
    posix_spawn_file_actions_adddup2(&actions, pair[1], 0)
    posix_spawn_file_actions_adddup2(&actions, pair[1], 1)
    posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGPIPE)
    sigaddset(&defaults, SIGINT)
    sigaddset(&defaults, SIGTERM)
    var noMask = sigset_t()
    sigemptyset(&noMask)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setsigmask(&attributes, &noMask)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

    let arguments = ["sh", "-c", line].map { (text: String) -> UnsafeMutablePointer<CChar>? in strdup(text) }
    defer { for argument in arguments { free(argument) } }
    var argv: [UnsafeMutablePointer<CChar>?] = arguments + [nil]
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, environ)
    Glibc.close(pair[1])
    Glibc.close(pipeFDs[1])
    guard rc == 0 else {
      Glibc.close(pair[0])
      Glibc.close(pipeFDs[0])
      throw failure("posix_spawn /bin/sh", rc)
    }
    return (pair[0], ProxyCommandProcess(pid: pid, stderrFD: pipeFDs[0]))
  }

  /// Reads what stderr holds now (never waits).
  private func drainStderr() {
    guard stderrFD >= 0 else { return }
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(stderrFD, $0.baseAddress, $0.count) }
      if n > 0 {
        stderrBytes.append(contentsOf: buffer.prefix(min(n, max(0, Self.stderrCap - stderrBytes.count))))
        continue
      }
      if n == 0 || (errno != EAGAIN && errno != EINTR) {
        Glibc.close(stderrFD)
        stderrFD = -1
      }
      return
    }
  }

  /// The exit status when the child has ended (reaped here, once); nil while it runs.
  private func poll() -> Int32? {
    if let status { return status }
    var raw: Int32 = 0
    if waitpid(pid, &raw, WNOHANG) == pid { status = raw }
    return status
  }

  /// How the child ended and what it printed, waiting up to `grace` for a child whose
  /// session just broke (it usually exits at once: its peer closed or its connect failed).
  /// - Returns: nil when it is still running and printed nothing: it says nothing about the failure.
  func report(grace: Duration = .milliseconds(300)) -> (exit: String, stderr: String)? {
    let clock = ContinuousClock()
    let end = clock.now + grace
    while poll() == nil && clock.now < end { usleep(5_000) }
    drainStderr()
    let text = Self.printable(stderrBytes)
    guard let raw = poll() else {
      return text.isEmpty ? nil : ("still running", text)
    }
    let exit: String
    if raw & 0x7f == 0 {
      exit = "exit status \((raw >> 8) & 0xff)"
    } else {
      exit = "killed by signal \(raw & 0x7f)"
    }
    return (exit, text)
  }

  /// Ends the child's process group and reaps the child: SIGTERM, up to 100 ms to exit,
  /// then SIGKILL. Idempotent.
  func stop() {
    if stderrFD >= 0 {
      Glibc.close(stderrFD)
      stderrFD = -1
    }
    guard poll() == nil else { return }
    kill(-pid, SIGTERM)
    for _ in 0..<20 where poll() == nil { usleep(5_000) }
    guard poll() == nil else { return }
    kill(-pid, SIGKILL)
    var raw: Int32 = 0
    // SIGKILL cannot be caught: the wait is short.
    while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
    status = raw
  }

  /// stderr as one line for a message: UTF-8 decoded, trimmed, control characters (ANSI
  /// escapes included) shown as `\u{…}`, newlines as ` | `.
  static func printable(_ bytes: [UInt8]) -> String {
    let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    var result = ""
    for scalar in text.unicodeScalars {
      if scalar == "\n" {
        result += " | "
      } else if scalar.properties.generalCategory == .control {
        result += "\\u{\(String(scalar.value, radix: 16))}"
      } else {
        result.unicodeScalars.append(scalar)
      }
    }
    return result
  }
}
