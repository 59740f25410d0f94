import CFleetShims
import CLibSSH2
import FleetPortsCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// libssh2's global state: initialised once, lazily and thread-safely (Swift globals are),
/// and never torn down while sessions may be alive.
let libssh2Ready: Int32 = libssh2_init(0)

/// Runs commands on hosts over SSH: one non-blocking libssh2 session per call, driven by
/// the shared reactor, host keys checked against known_hosts, keys or agent for auth.
public struct SSHClient: Sendable {
  public var knownHosts: KnownHostsStore
  public var checking: HostKeyChecking
  public var credentials: SSHCredentials
  public var deadlines: SSHDeadlines
  /// Bytes kept per stream; the rest is drained and the result marked truncated.
  public var outputCap: Int
  /// How connections the server closed before SSH started are tried again (MaxStartups).
  public var retry: EarlyCloseRetry
  /// The jump-host sessions that carry targets with a `.jump` route; nil: such a target fails.
  public var jumps: JumpPool?

  public static let defaultOutputCap = 64 << 20

  public init(
    knownHosts: KnownHostsStore, checking: HostKeyChecking = .strict, credentials: SSHCredentials,
    deadlines: SSHDeadlines = SSHDeadlines(), outputCap: Int = SSHClient.defaultOutputCap, retry: EarlyCloseRetry = EarlyCloseRetry(),
    jumps: JumpPool? = nil
  ) {
    self.knownHosts = knownHosts
    self.checking = checking
    self.credentials = credentials
    self.deadlines = deadlines
    self.outputCap = outputCap
    self.retry = retry
    self.jumps = jumps
    _ = SSHClient.processSetup
  }

  /// Raises the open-file limit to its hard maximum (1,000 sessions need 1,000 sockets),
  /// ignores SIGPIPE and sets malloc up for many sessions (`cfleet_tune_malloc`), once per process.
  static let processSetup: Void = {
    cfleet_tune_malloc()
    var limit = rlimit()
    if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
      limit.rlim_cur = limit.rlim_max
      _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
    signal(SIGPIPE, SIG_IGN)
  }()

  /// Returns the heap's free pages to the system (`malloc_trim`): called once a scan's
  /// sessions have all ended, so their freed buffers do not add to the memory the rest of the
  /// scan (storing, reports) needs on top.
  public static func releaseFreeMemory() {
    cfleet_release_free_memory()
  }

  /// Runs `command` on `target`, feeding `stdin` (then EOF) when given.
  /// - Returns: the command's output (each stream capped at `outputCap` bytes), its exit
  ///   status or signal, and the host key's fingerprint.
  /// - Throws: `SSHError` only, with `host` set to `target.host`; its message says what went
  ///   wrong and what to do. Cancellation of the task is `SSHError(.cancelled)`; a server that
  ///   closed every attempt before SSH started (see `retry`) is `.closedBeforeSSH`.
  public func run(_ command: String, stdin: [UInt8]? = nil, on target: SSHTarget) async throws(SSHError) -> SSHCommandResult {
    // libssh2 could not set itself up (its crypto back end failed): every host fails with the
    // reason, instead of the process crashing.
    guard libssh2Ready == 0 else {
      throw SSHError(
        .internalFailure("libssh2_init returned \(libssh2Ready); check the libssh2 and OpenSSL libraries"), host: target.host)
    }
    // One connection per attempt (`SSHConnection` is single-use); only a close before
    // authentication is tried again, so a retry never logs in twice. The retries share the
    // handshake-and-login deadline, counted from the first attempt.
    let clock = ContinuousClock()
    let start = clock.now
    var attempt = 1
    while true {
      let connection = SSHConnection(client: self, target: target)
      do throws(SSHError) {
        // A retry gets what is left of the first attempt's deadline, never a fresh one.
        let result = try await connection.run(
          command: command, stdin: stdin, notAfter: attempt > 1 ? start + deadlines.handshakeAndAuth : nil)
        connection.close(graceful: true)
        return result
      } catch {
        // A ProxyCommand that ended or complained explains the row better than the session's
        // view of it ("connection lost"); its stderr is read before the child is killed.
        var error = connection.explainedByProxyCommand(error)
        // A jump session that broke under this host: the row names the jump host.
        if case .jump(let hops) = target.route, error.kind != .cancelled, let broken = jumps?.failure(of: hops) { error = broken }
        connection.close(graceful: false)
        guard
          let wait = retry.nextDelay(
            after: error, attempt: attempt, elapsed: clock.now - start, budget: deadlines.handshakeAndAuth, unit: Double.random(in: 0..<1))
        else {
          var named = attempt > 1 && EarlyCloseRetry.isEarlyClose(error) ? SSHError(.closedBeforeSSH(attempts: attempt)) : error
          named.host = target.host
          throw named
        }
        do {
          try await Task.sleep(for: wait)
        } catch {
          throw SSHError(.cancelled, host: target.host)
        }
        attempt += 1
      }
    }
  }
}
