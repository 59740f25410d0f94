import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Why a child process could not be started.
public struct ChildProcessError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Runs a program to its end for a test, the one way every test target does it.
///
/// - Standard output and standard error are drained together with the writing of standard
///   input (one `poll` loop on the calling thread), so no pipe can fill up and stall the child,
///   whatever it prints on which stream.
/// - The child starts with no blocked signals and default handlers, in a process group of its
///   own: the test runner blocks most signals on its threads (children would inherit that mask,
///   and `wait` hangs in dash and busybox), and a timeout kills the whole group, grandchildren too.
/// - A timeout kills the group with SIGKILL and marks the result `timedOut`; it never throws.
///
///     let ran = try ChildProcess.run(["/bin/sh", "-s"], stdin: Array("echo hi\n".utf8))
///     #expect(ran.status == 0 && ran.stdoutText == "hi\n")
public enum ChildProcess {
  /// What a child printed and how it ended.
  public struct Output: Sendable {
    /// The exit code, or 128 + the signal number when a signal ended the child (as shells say).
    public var status: Int32
    /// The signal that ended the child, if one did.
    public var signal: Int32?
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// Wall time from the start to the end of the child (and its pipes).
    public var seconds: Double
    /// True when the child was killed at the timeout.
    public var timedOut: Bool

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
  }

  /// How long the pipes are still drained after the child ended or was killed: a grandchild
  /// left running may hold them open, and a test must not wait for it for ever.
  public static let drainGrace: Duration = .seconds(5)

  /// Runs `argv` (`argv[0]` is a path, or a name looked up in this process' PATH) to its end.
  ///
  /// - Parameters:
  ///   - argv: the program and its arguments.
  ///   - stdin: bytes written to the child's standard input, which is then closed; nil gives
  ///     it `/dev/null`.
  ///   - keepStdinOpen: close standard input only once the child has exited (an SSH channel
  ///     whose EOF comes late): the child must end on its own.
  ///   - environment: the child's whole environment; nil inherits this process' environment.
  ///   - timeout: after this the child's process group is killed (SIGKILL).
  /// - Returns: both streams whole, the exit status and whether the timeout struck.
  /// - Throws: `ChildProcessError` when the pipes cannot be made or the program cannot be started.
  public static func run(
    _ argv: [String], stdin: [UInt8]? = nil, keepStdinOpen: Bool = false, environment: [String: String]? = nil,
    timeout: Duration = .seconds(120)
  ) throws(ChildProcessError) -> Output {
    guard let program = argv.first else { throw ChildProcessError("no program to run") }
    _ = ignoreSIGPIPE
    let clock = ContinuousClock()
    let started = clock.now
    var input: [Int32] = [-1, -1]
    var output: [Int32] = [-1, -1]
    var errors: [Int32] = [-1, -1]
    // Pipes are made close-on-exec and the child spawned under one lock: two tests starting
    // children at once must not hand each other their pipe ends (pipe2(O_CLOEXEC) would do it
    // atomically, but Glibc does not export it to Swift without _GNU_SOURCE).
    let spawned: Result<pid_t, ChildProcessError> = spawnLock.withLock { _ in
      for index in 0..<3 {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
          return .failure(ChildProcessError("cannot make pipes for \(program): \(String(cString: strerror(errno)))"))
        }
        for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        switch index {
        case 0: input = ends
        case 1: output = ends
        default: errors = ends
        }
      }
      do throws(ChildProcessError) {
        return .success(
          try spawn(argv, stdin: stdin == nil ? nil : input[0], stdout: output[1], stderr: errors[1], environment: environment))
      } catch {
        return .failure(error)
      }
    }
    let pid: pid_t
    switch spawned {
    case .success(let child):
      pid = child
    case .failure(let error):
      for fd in input + output + errors where fd >= 0 { close(fd) }
      throw error
    }
    close(input[0])
    close(output[1])
    close(errors[1])
    var stdinFD: Int32 = input[1]
    if stdin == nil || (stdin?.isEmpty == true && !keepStdinOpen) {
      close(stdinFD)
      stdinFD = -1
    }
    for fd in [stdinFD, output[0], errors[0]] where fd >= 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }

    let pending = stdin ?? []
    var written = 0
    var streams: [(fd: Int32, bytes: [UInt8])] = [(output[0], []), (errors[0], [])]
    var rawStatus: Int32?
    var timedOut = false
    var drainDeadline: ContinuousClock.Instant?
    let deadline = started + timeout
    var buffer = [UInt8](repeating: 0, count: 65_536)

    while streams.contains(where: { $0.fd >= 0 }) || rawStatus == nil {
      if rawStatus == nil {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
          rawStatus = status
          drainDeadline = clock.now + drainGrace
          if keepStdinOpen && stdinFD >= 0 {
            close(stdinFD)
            stdinFD = -1
          }
        } else if clock.now >= deadline {
          timedOut = true
          kill(-pid, SIGKILL)
          kill(pid, SIGKILL)
          var status: Int32 = 0
          while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
          rawStatus = status
          drainDeadline = clock.now + drainGrace
        }
      }
      if let drainDeadline, clock.now >= drainDeadline { break }
      var fds: [pollfd] = streams.filter { $0.fd >= 0 }.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
      if stdinFD >= 0 && written < pending.count { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
      // Short waits while the child runs: its exit is noticed by waitpid, not by poll.
      if poll(&fds, nfds_t(fds.count), 20) < 0 && errno != EINTR { break }
      for ready in fds where ready.revents != 0 {
        if ready.fd == stdinFD {
          let count = pending[written...].withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
          if count > 0 { written += count }
          if count < 0 && errno != EAGAIN && errno != EINTR { written = pending.count }  // the child closed its end
          if written == pending.count && !keepStdinOpen {
            close(stdinFD)
            stdinFD = -1
          }
          continue
        }
        guard let index = streams.firstIndex(where: { $0.fd == ready.fd }) else { continue }
        let count = buffer.withUnsafeMutableBytes { read(ready.fd, $0.baseAddress, $0.count) }
        if count > 0 {
          streams[index].bytes += buffer[0..<count]
        } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
          close(ready.fd)
          streams[index].fd = -1
        }
      }
    }
    for fd in [stdinFD] + streams.map(\.fd) where fd >= 0 { close(fd) }

    let status = rawStatus ?? 0
    let signal = status & 0x7f
    let elapsed = clock.now - started
    return Output(
      status: signal == 0 ? (status >> 8) & 0xff : 128 + signal, signal: signal == 0 ? nil : signal,
      stdout: streams[0].bytes, stderr: streams[1].bytes,
      seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, timedOut: timedOut)
  }

  private static let spawnLock = Mutex(())

  /// The descriptors this process has open (glibc ignores a close action whose descriptor has
  /// been closed since).
  private static func openDescriptors() -> [Int32] {
    guard let directory = opendir("/proc/self/fd") else { return [] }
    defer { closedir(directory) }
    let own = dirfd(directory)
    var found: [Int32] = []
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if let fd = Int32(name), fd != own { found.append(fd) }
    }
    return found
  }

  /// A write to a pipe whose reader has gone must fail with EPIPE, not kill the test runner.
  private static let ignoreSIGPIPE: Void = { _ = Glibc.signal(SIGPIPE, SIG_IGN) }()

  private static func spawn(
    _ argv: [String], stdin: Int32?, stdout: Int32, stderr: Int32, environment: [String: String]?
  ) throws(ChildProcessError) -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let stdin {
      posix_spawn_file_actions_adddup2(&actions, stdin, 0)
    } else {
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }
    posix_spawn_file_actions_adddup2(&actions, stdout, 1)
    posix_spawn_file_actions_adddup2(&actions, stderr, 2)
    // Descriptors other tests opened without O_CLOEXEC must not leak into this child (a pipe
    // kept open here would keep another test's reader from ever seeing its end). Glibc's
    // addclosefrom_np needs _GNU_SOURCE, so: every descriptor open now, from /proc/self/fd.
    for fd in openDescriptors() where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var none = sigset_t()
    sigemptyset(&none)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &none)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

    let arguments = argv.map { strdup($0) } + [nil]
    let variables = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
    defer {
      for pointer in arguments { free(pointer) }
      for pointer in variables ?? [] { free(pointer) }
    }
    var pid = pid_t()
    let program = argv[0]
    let result: Int32 =
      if let variables {
        program.contains("/")
          ? posix_spawn(&pid, program, &actions, &attributes, arguments, variables)
          : posix_spawnp(&pid, program, &actions, &attributes, arguments, variables)
      } else {
        program.contains("/")
          ? posix_spawn(&pid, program, &actions, &attributes, arguments, environ)
          : posix_spawnp(&pid, program, &actions, &attributes, arguments, environ)
      }
    guard result == 0 else {
      throw ChildProcessError("cannot start \(program): \(String(cString: strerror(result)))")
    }
    return pid
  }
}
