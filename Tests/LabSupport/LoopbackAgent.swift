import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A real OpenSSH ssh-agent of the test's own (`ssh-agent -a SOCKET`), holding the keys the
/// test adds with `ssh-add`; stopped by its pid in `stop()`.
public final class LoopbackAgent: Sendable {
  /// The agent's socket, for `SSH_AUTH_SOCK`.
  public let socketPath: String
  let pid: pid_t

  /// Starts an agent whose socket is `directory/agent.sock`.
  /// - Throws: `ChildProcessError` when ssh-agent does not start.
  public init(directory: String) throws {
    socketPath = directory + "/agent-\(UUID().uuidString.prefix(6)).sock"
    let started = try ChildProcess.run(["/usr/bin/ssh-agent", "-s", "-a", socketPath], timeout: .seconds(30))
    let pidText = started.stdoutText.components(separatedBy: "SSH_AGENT_PID=").dropFirst().first?.prefix { $0.isNumber } ?? ""
    guard let pid = pid_t(String(pidText)) else { throw ChildProcessError("ssh-agent: \(started.stdoutText) \(started.stderrText)") }
    self.pid = pid
  }

  deinit { stop() }

  /// Adds the private key at `path` (and its `-cert.pub` when there is one, as ssh-add does).
  /// - Throws: `ChildProcessError` when ssh-add refuses it.
  public func add(_ path: String) throws {
    let added = try ChildProcess.run(["/usr/bin/ssh-add", path], environment: ["SSH_AUTH_SOCK": socketPath], timeout: .seconds(30))
    guard added.status == 0 else { throw ChildProcessError("ssh-add \(path): \(added.stderrText)") }
  }

  /// The keys the agent holds, as `ssh-add -L` prints them.
  public func listed() throws -> [String] {
    let listed = try ChildProcess.run(["/usr/bin/ssh-add", "-L"], environment: ["SSH_AUTH_SOCK": socketPath], timeout: .seconds(30))
    return listed.stdoutText.split(separator: "\n").map(String.init)
  }

  /// Stops the agent (by its pid).
  public func stop() {
    kill(pid, SIGTERM)
  }
}
