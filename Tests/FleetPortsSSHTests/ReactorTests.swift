import Foundation
import Testing
@testable import FleetPortsSSH

#if canImport(Glibc)
  import Glibc
#endif

/// Two connected Unix stream sockets: the reactor waits on `waited`, the test writes `peer`.
struct SocketPair {
  let waited: Int32
  let peer: Int32

  init() throws {
    var fds: [Int32] = [-1, -1]
    let rc = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds)
    guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    waited = fds[0]
    peer = fds[1]
  }

  /// Makes `waited` readable.
  func send() {
    var byte: UInt8 = 1
    #expect(write(peer, &byte, 1) == 1)
  }

  func close(_ reactor: Reactor) {
    reactor.forget(fd: waited)
    Glibc.close(waited)
    Glibc.close(peer)
  }
}

/// The reactor on socketpairs, without a network or sshd. Each test starts a reactor of its
/// own and shuts it down, so tests running in parallel do not share a loop. Time bounds are
/// loose upwards: the machine is shared and may be busy. A reactor that misses a wake-up
/// hangs its waiters; the time limit turns that into a failure.
@Suite(.timeLimit(.minutes(1))) struct ReactorTests {
  let clock = ContinuousClock()

  @Test func aSocketThatBecomesReadableWakesItsWaiter() async throws {
    let reactor = Reactor(name: "test-ready")
    defer { reactor.shutdown() }
    let pair = try SocketPair()
    defer { pair.close(reactor) }
    let start = clock.now
    async let outcome = reactor.wait(fd: pair.waited, for: .readable, until: start + .seconds(20))
    try await Task.sleep(for: .milliseconds(100))
    pair.send()
    #expect(try await outcome == .ready)
    #expect(clock.now - start < .seconds(5))
  }

  @Test func aSocketAlreadyReadableIsReadyAtOnce() async throws {
    let reactor = Reactor(name: "test-readable")
    defer { reactor.shutdown() }
    let pair = try SocketPair()
    defer { pair.close(reactor) }
    pair.send()
    let start = clock.now
    #expect(try await reactor.wait(fd: pair.waited, for: .readable, until: start + .seconds(20)) == .ready)
    // A second wait re-arms the one-shot registration (EPOLL_CTL_MOD): still readable.
    #expect(try await reactor.wait(fd: pair.waited, for: .readable, until: start + .seconds(20)) == .ready)
    #expect(clock.now - start < .seconds(5))
  }

  @Test func aWritableSocketIsReadyForWriting() async throws {
    let reactor = Reactor(name: "test-writable")
    defer { reactor.shutdown() }
    let pair = try SocketPair()
    defer { pair.close(reactor) }
    #expect(try await reactor.wait(fd: pair.waited, for: .writable, until: clock.now + .seconds(20)) == .ready)
  }

  @Test func theDeadlineFiresOnTime() async throws {
    let reactor = Reactor(name: "test-deadline")
    defer { reactor.shutdown() }
    let pair = try SocketPair()
    defer { pair.close(reactor) }
    let start = clock.now
    let outcome = try await reactor.wait(fd: pair.waited, for: .readable, until: start + .milliseconds(300))
    let elapsed = clock.now - start
    #expect(outcome == .timedOut)
    #expect(elapsed >= .milliseconds(300))
    #expect(elapsed < .milliseconds(1300), "fired \(elapsed) after the wait began, for a 300 ms deadline")
  }

  /// The case the eventfd is for: the loop sleeps until the 60 s deadline and must be woken
  /// to take up the 300 ms one.
  @Test func aShorterDeadlineBehindALongOneStillFiresOnTime() async throws {
    let reactor = Reactor(name: "test-nearer")
    defer { reactor.shutdown() }
    let long = try SocketPair()
    let short = try SocketPair()
    defer {
      long.close(reactor)
      short.close(reactor)
    }
    let longWait = Task { try await reactor.wait(fd: long.waited, for: .readable, until: clock.now + .seconds(60)) }
    try await Task.sleep(for: .milliseconds(200))  // the loop is now asleep until the 60 s deadline
    let start = clock.now
    let outcome = try await reactor.wait(fd: short.waited, for: .readable, until: start + .milliseconds(300))
    let elapsed = clock.now - start
    #expect(outcome == .timedOut)
    #expect(elapsed >= .milliseconds(300))
    #expect(elapsed < .milliseconds(1300), "fired \(elapsed) after the wait began, for a 300 ms deadline")
    longWait.cancel()
    await #expect(throws: SSHError(.cancelled)) { try await longWait.value }
  }

  @Test func cancellingTheWaitingTaskThrowsCancelled() async throws {
    let reactor = Reactor(name: "test-cancel")
    defer { reactor.shutdown() }
    let pair = try SocketPair()
    defer { pair.close(reactor) }
    let start = clock.now
    let waiting = Task { try await reactor.wait(fd: pair.waited, for: .readable, until: start + .seconds(60)) }
    try await Task.sleep(for: .milliseconds(100))
    waiting.cancel()
    await #expect(throws: SSHError(.cancelled)) { try await waiting.value }
    #expect(clock.now - start < .seconds(5))
    // The descriptor can be waited on again afterwards.
    pair.send()
    #expect(try await reactor.wait(fd: pair.waited, for: .readable, until: clock.now + .seconds(20)) == .ready)
  }

  @Test func aTaskCancelledBeforeItWaitsThrowsCancelledAtOnce() async throws {
    let reactor = Reactor(name: "test-cancel0")
    defer { reactor.shutdown() }
    let pair = try SocketPair()
    defer { pair.close(reactor) }
    let start = clock.now
    let waiting = Task {
      withUnsafeCurrentTask { $0?.cancel() }
      return try await reactor.wait(fd: pair.waited, for: .readable, until: start + .seconds(60))
    }
    await #expect(throws: SSHError(.cancelled)) { try await waiting.value }
    #expect(clock.now - start < .seconds(5))
  }

  /// 64 sockets, deadlines registered latest first; half are written to. Each ends its own
  /// way: the written ones ready, the others at (not before) their own deadline.
  @Test func manyWaitersEachEndTheirOwnWay() async throws {
    let reactor = Reactor(name: "test-many")
    defer { reactor.shutdown() }
    let pairs = try (0..<64).map { _ in try SocketPair() }
    defer { for pair in pairs { pair.close(reactor) } }
    let start = clock.now
    let deadlines = (0..<64).map { start + .milliseconds(400 + 10 * $0) }
    let results = try await withThrowingTaskGroup(of: (Int, WaitOutcome, ContinuousClock.Instant).self) { group in
      for index in (0..<64).reversed() {
        group.addTask {
          let outcome = try await reactor.wait(fd: pairs[index].waited, for: .readable, until: deadlines[index])
          return (index, outcome, clock.now)
        }
      }
      try await Task.sleep(for: .milliseconds(100))
      for index in stride(from: 0, to: 64, by: 2) { pairs[index].send() }
      var collected: [Int: (WaitOutcome, ContinuousClock.Instant)] = [:]
      for try await (index, outcome, at) in group { collected[index] = (outcome, at) }
      return collected
    }
    #expect(results.count == 64)
    for index in 0..<64 {
      let (outcome, at) = try #require(results[index])
      if index.isMultiple(of: 2) {
        #expect(outcome == .ready, "socket \(index)")
        #expect(at < deadlines[index], "socket \(index)")
      } else {
        #expect(outcome == .timedOut, "socket \(index)")
        #expect(at >= deadlines[index], "socket \(index)")
        #expect(at < deadlines[index] + .seconds(1), "socket \(index) fired \(at - deadlines[index]) late")
      }
    }
  }

  /// The loop sleeps while nothing is due: over a second with a waiter whose deadline is
  /// far away, its thread makes (almost) no context switch. The 50 ms tick it replaced
  /// made about 20 a second.
  @Test func anIdleReactorDoesNotWakeUp() async throws {
    let name = "test-idle-\(UInt32.random(in: 0..<100_000))"
    let reactor = Reactor(name: name)
    defer { reactor.shutdown() }
    let pair = try SocketPair()
    defer { pair.close(reactor) }
    let waiting = Task { try await reactor.wait(fd: pair.waited, for: .readable, until: clock.now + .seconds(30)) }
    try await Task.sleep(for: .milliseconds(200))
    let thread = try #require(Self.thread(named: name))
    let before = try Self.voluntarySwitches(thread)
    try await Task.sleep(for: .seconds(1))
    let after = try Self.voluntarySwitches(thread)
    #expect(after - before <= 2, "the reactor thread woke \(after - before) times in one idle second")
    waiting.cancel()
    await #expect(throws: SSHError(.cancelled)) { try await waiting.value }
  }

  @Test func forgettingADescriptorEndsItsPendingWait() async throws {
    let reactor = Reactor(name: "test-forget")
    defer { reactor.shutdown() }
    let pair = try SocketPair()
    defer { pair.close(reactor) }
    let waiting = Task { try await reactor.wait(fd: pair.waited, for: .readable, until: clock.now + .seconds(60)) }
    try await Task.sleep(for: .milliseconds(100))
    reactor.forget(fd: pair.waited)
    let error = await #expect(throws: SSHError.self) { try await waiting.value }
    #expect(error?.kind == .internalFailure("socket \(pair.waited) closed while a wait was pending"))
  }

  @Test func aReactorThatCannotStartKeepsTheErrorAndThrowsIt() async throws {
    let reactor = Reactor(name: "test-nostart") {
      errno = EMFILE
      return -1
    }
    let pair = try SocketPair()
    defer { pair.close(reactor) }
    let error = await #expect(throws: SSHError.self) {
      try await reactor.wait(fd: pair.waited, for: .readable, until: clock.now + .seconds(5))
    }
    #expect(error?.kind == .ioUnavailable(call: "epoll_create1", errno: EMFILE))
    #expect(error?.description == "cannot do network I/O: epoll_create1 failed: Too many open files (errno 24); too many open files: raise the limit (ulimit -n) or lower --parallel")
  }

  @Test func shutdownFailsPendingAndLaterWaits() async throws {
    let reactor = Reactor(name: "test-shutdown")
    let pair = try SocketPair()
    defer { pair.close(reactor) }
    let waiting = Task { try await reactor.wait(fd: pair.waited, for: .readable, until: clock.now + .seconds(60)) }
    try await Task.sleep(for: .milliseconds(100))
    reactor.shutdown()
    await #expect(throws: SSHError(.internalFailure("the reactor was shut down"))) { try await waiting.value }
    await #expect(throws: SSHError(.internalFailure("the reactor was shut down"))) {
      try await reactor.wait(fd: pair.waited, for: .readable, until: clock.now + .seconds(5))
    }
  }

  @Test func aDescriptorEpollRefusesIsAnError() async throws {
    let reactor = Reactor(name: "test-badfd")
    defer { reactor.shutdown() }
    let error = await #expect(throws: SSHError.self) {
      try await reactor.wait(fd: 9999, for: .readable, until: clock.now + .seconds(5))
    }
    #expect(error?.kind == .ioUnavailable(call: "epoll_ctl(fd 9999)", errno: EBADF))
  }

  @Test(arguments: [
    (Duration.zero, Int32(0)),
    (.seconds(-1), 0),
    (.nanoseconds(1), 1),
    (.microseconds(999), 1),
    (.milliseconds(1), 1),
    (.microseconds(1001), 2),
    (.seconds(10), 10_000),
    (.seconds(10) + .nanoseconds(1), 10_001),
    (.seconds(1 << 40), Int32.max),
  ])
  func theTimeoutIsRoundedUpToTheMillisecond(remaining: Duration, milliseconds: Int32) {
    let now = clock.now
    #expect(Reactor.milliseconds(from: now, to: now + remaining) == milliseconds)
  }

  // MARK: Helpers

  /// The id of this process's thread named `name`, from /proc/self/task/*/comm.
  static func thread(named name: String) -> String? {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.first { task in
      let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)
      return comm?.trimmingCharacters(in: .whitespacesAndNewlines) == String(name.prefix(15))
    }
  }

  static func voluntarySwitches(_ thread: String) throws -> Int {
    let status = try String(contentsOfFile: "/proc/self/task/\(thread)/status", encoding: .utf8)
    let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("voluntary_ctxt_switches:") })
    return try #require(Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)))
  }
}
