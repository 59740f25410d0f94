import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A python3 listener on 127.0.0.1 that accepts every connection and closes it at once,
/// before any banner: what sshd does to every connection its MaxStartups drops, here to all
/// of them. It exits by itself after `lifetime` (so a crashed test leaves nothing running for
/// long); `stop()` ends it by its pid.
public final class EarlyClosingListener: Sendable {
  public let port: Int
  /// Connections it accepted and closed, as it counts them (read with `accepted`).
  let directory: String
  let pid: pid_t

  static let script = """
    import socket, sys, time
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.5)
    open(sys.argv[1] + "/port", "w").write(str(server.getsockname()[1]))
    count = 0
    end = time.monotonic() + float(sys.argv[2])
    while time.monotonic() < end:
        try:
            connection, _ = server.accept()
        except socket.timeout:
            continue
        connection.close()
        count += 1
        open(sys.argv[1] + "/accepted", "w").write(str(count))
    """

  /// Starts the listener and waits (at most 10 s) until it listens.
  /// - Parameter lifetime: how long it runs at most.
  /// - Throws: `ChildProcessError` when python3 cannot start or does not listen in time.
  public init(lifetime: Duration = .seconds(120)) throws {
    let dir = NSTemporaryDirectory() + "fp-closing-\(UUID().uuidString.prefix(8))"
    try LoopbackSSHD.check(FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true))
    directory = dir
    try LoopbackSSHD.write(Self.script, to: dir + "/listener.py", mode: 0o644)
    let started = try ChildProcess.run(
      [
        "/bin/sh", "-c", "/usr/bin/python3 \"$1/listener.py\" \"$1\" \"$2\" >\"$1/log\" 2>&1 </dev/null & echo $!", "sh", dir,
        String(lifetime.components.seconds),
      ], timeout: .seconds(30))
    guard let child = pid_t(started.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
      throw ChildProcessError("python3 did not start: \(started.stderrText)")
    }
    pid = child
    for _ in 0..<100 {
      if let text = try? LoopbackSSHD.read(dir + "/port"), let port = Int(text) {
        self.port = port
        return
      }
      usleep(100_000)
    }
    kill(child, SIGTERM)
    throw ChildProcessError("the python3 listener did not listen: \((try? LoopbackSSHD.read(dir + "/log")) ?? "no log")")
  }

  deinit { stop() }

  /// Connections accepted and closed so far.
  public var accepted: Int { Int((try? LoopbackSSHD.read(directory + "/accepted")) ?? "") ?? 0 }

  /// Stops the listener (its pid) and removes its folder.
  public func stop() {
    kill(pid, SIGTERM)
    try? FileManager.default.removeItem(atPath: directory)
  }
}
