import CFleetShims
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// What a socket wait is for: libssh2's block directions, or a non-blocking connect.
struct IODirections: OptionSet, Sendable {
  let rawValue: UInt32
  static let readable = IODirections(rawValue: CFLEET_EPOLLIN)
  static let writable = IODirections(rawValue: CFLEET_EPOLLOUT)
}

/// How a wait ended.
enum WaitOutcome: Sendable, Hashable {
  case ready
  case timedOut
}

/// One thread in `epoll_wait` that resumes the tasks waiting on sockets. Every SSH session
/// is an async task; when libssh2 says EAGAIN the task awaits here, so the cooperative pool
/// (two threads on these machines) never blocks and no host gets a thread of its own.
///
/// Timing: the loop sleeps until the earliest deadline and no longer wakes on a tick, so a
/// scan waiting on silent hosts costs no CPU. The earliest deadline is kept in a heap and
/// becomes epoll_wait's timeout, rounded up to the millisecond so the loop never wakes just
/// before a deadline and spins. The kernel lets that timeout end late by 0.1% of its length
/// (its slack for a normal thread, at most 100 ms): a 10 s deadline fires about 10 ms late
/// (measured: 10.01 s; 60.06 s for 60 s). A timerfd (swift-nio's choice) would keep to the
/// thread's 50 µs slack, but deadlines here are seconds long and that lateness is harmless;
/// both cost one syscall when a nearer deadline arrives (timerfd_settime, or the eventfd
/// write below); and the timeout keeps the timing in one place, the loop, with one
/// descriptor fewer and no conversion of a `ContinuousClock.Instant` (which has no public
/// raw value) into a timespec.
///
/// Waking: a waiter whose deadline is earlier than the one the loop sleeps until writes the
/// eventfd, which ends epoll_wait so the loop computes its timeout again.
///
/// Failure: when epoll, the eventfd or the thread cannot be set up, the reactor keeps the
/// error (as swift-subprocess's `AsyncIO` keeps a `Result`) and every wait throws it; when
/// `epoll_wait` fails later, pending and later waits throw that error.
final class Reactor: Sendable {
  /// The process-wide reactor; its thread starts on first use and lives as long as the process.
  static let shared = Reactor()

  /// The kernel objects made once at start.
  private struct Descriptors: Sendable {
    let epoll: Int32
    let wake: Int32
  }

  private struct Waiter {
    var id: UInt64
    var continuation: CheckedContinuation<Result<WaitOutcome, SSHError>, Never>
  }

  /// Where the loop is, for a waiter deciding whether to wake it.
  private enum LoopPhase {
    /// Handling events: it reads the deadlines again before it sleeps.
    case awake
    /// In (or about to enter) epoll_wait until this deadline; nil: until an event.
    case sleeping(until: ContinuousClock.Instant?)
  }

  private struct State {
    /// The single waiter per descriptor (a session never waits twice on its socket at once).
    var waiters: [Int32: Waiter] = [:]
    /// Descriptors added to epoll, so the next wait uses MOD instead of ADD.
    var registered: Set<Int32> = []
    var deadlines = DeadlineHeap()
    var loop: LoopPhase = .awake
    /// Set when `epoll_wait` failed or `shutdown` ran: every wait from then on throws it.
    var failure: SSHError?
    var thread: pthread_t?
  }

  private let descriptors: Result<Descriptors, SSHError>
  private let state = Mutex(State())
  /// Waiter ids. An atomic counter rather than state under the lock, because the
  /// cancellation handler needs the id before the waiter is stored.
  private let nextID = Atomic<UInt64>(1)
  private let clock = ContinuousClock()

  /// Starts a reactor and its thread. `makeEpoll` is a seam for tests, which make the
  /// start fail without exhausting the process's descriptors.
  init(name: String = "fleetports-io", makeEpoll: () -> Int32 = { cfleet_epoll_create() }) {
    let epoll = makeEpoll()
    guard epoll >= 0 else {
      descriptors = .failure(SSHError(.ioUnavailable(call: "epoll_create1", errno: errno)))
      return
    }
    let wake = cfleet_eventfd()
    guard wake >= 0 else {
      descriptors = .failure(SSHError(.ioUnavailable(call: "eventfd", errno: errno)))
      Glibc.close(epoll)
      return
    }
    guard cfleet_epoll_ctl(epoll, CFLEET_EPOLL_CTL_ADD, wake, CFLEET_EPOLLIN, Self.token(fd: wake, id: 0)) == 0 else {
      descriptors = .failure(SSHError(.ioUnavailable(call: "epoll_ctl(ADD, eventfd)", errno: errno)))
      Glibc.close(wake)
      Glibc.close(epoll)
      return
    }
    let made = Descriptors(epoll: epoll, wake: wake)
    descriptors = .success(made)
    // The thread starts last, once every stored property is set; it captures `self` for
    // as long as it runs (for ever, for the shared reactor).
    switch SystemThread.start(name: name, { [self] in self.loop(made) }) {
    case .success(let thread):
      state.withLock { $0.thread = thread }
    case .failure(let error):
      state.withLock { $0.failure = error }
      Glibc.close(wake)
      Glibc.close(epoll)
    }
  }

  /// Waits until `fd` is ready in one of `directions`, or `deadline` passes.
  /// - Returns: `.ready` (the caller retries its call; a spurious wake is harmless) or
  ///   `.timedOut`.
  /// - Throws: `SSHError(.cancelled)` when the task is cancelled while waiting;
  ///   `.ioUnavailable` when the reactor could not start or stopped; `.internalFailure` when
  ///   `fd` is forgotten while the wait is pending.
  func wait(fd: Int32, for directions: IODirections, until deadline: ContinuousClock.Instant) async throws(SSHError) -> WaitOutcome {
    let made: Descriptors
    switch descriptors {
    case .success(let value): made = value
    case .failure(let error): throw error
    }
    let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
    let result = await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Result<WaitOutcome, SSHError>, Never>) in
        // One critical section checks cancellation, arms epoll, stores the waiter and decides
        // on the wake-up:
        // - The cancellation handler takes this lock too, and the task's cancelled flag is set
        //   before the handler runs; so either the handler runs first and this check sees the
        //   flag, or this runs first and the handler finds the stored waiter. No wait is lost.
        // - epoll_ctl happens under the lock (as swift-subprocess does) so that `forget` runs
        //   entirely before or after it: never a waiter stored for a descriptor epoll dropped.
        // - The eventfd write happens under the lock so it can never reach a descriptor
        //   `shutdown` has closed and something else reused; it is a non-blocking 8-byte write.
        let refusal: SSHError? = state.withLock { state in
          if let failure = state.failure { return failure }
          if Task.isCancelled { return SSHError(.cancelled) }
          let events = directions.rawValue | CFLEET_EPOLLONESHOT
          var rc = cfleet_epoll_ctl(made.epoll, state.registered.contains(fd) ? CFLEET_EPOLL_CTL_MOD : CFLEET_EPOLL_CTL_ADD, fd, events, Self.token(fd: fd, id: id))
          if rc != 0 && errno == ENOENT {
            // Closed without `forget` and the number reused: closing left epoll, so add it anew.
            rc = cfleet_epoll_ctl(made.epoll, CFLEET_EPOLL_CTL_ADD, fd, events, Self.token(fd: fd, id: id))
          }
          if rc != 0 { return SSHError(.ioUnavailable(call: "epoll_ctl(fd \(fd))", errno: errno)) }
          state.registered.insert(fd)
          state.waiters[fd] = Waiter(id: id, continuation: continuation)
          state.deadlines.insert(DeadlineHeap.Entry(deadline: deadline, fd: fd, id: id))
          if case .sleeping(let until) = state.loop, until.map({ deadline < $0 }) ?? true {
            // The loop sleeps past this deadline: wake it to compute a shorter timeout. Noting
            // the new deadline spares the waiters behind this one another write.
            state.loop = .sleeping(until: deadline)
            _ = cfleet_eventfd_signal(made.wake)
          }
          return nil
        }
        // Resumed after the lock is released, as everywhere here: the resumed task may at once
        // run on another thread and call `wait` again, and would only queue behind this lock.
        if let refusal { continuation.resume(returning: .failure(refusal)) }
      }
    } onCancel: {
      // Under the lock only the waiter is taken out; it is resumed after the lock is released.
      let waiter = state.withLock { state -> Waiter? in
        guard state.waiters[fd]?.id == id else { return nil }  // not stored yet, or already resumed
        return state.waiters.removeValue(forKey: fd)
      }
      waiter?.continuation.resume(returning: .failure(SSHError(.cancelled)))
    }
    return try result.get()
  }

  /// Removes `fd` from epoll; call before closing it, so a reused number starts clean.
  /// A wait still pending on it throws.
  func forget(fd: Int32) {
    // EPOLL_CTL_DEL under the lock, for the reason given in `wait`.
    let waiter = state.withLock { state -> Waiter? in
      if state.registered.remove(fd) != nil, case .success(let made) = descriptors, state.failure == nil {
        _ = cfleet_epoll_ctl(made.epoll, CFLEET_EPOLL_CTL_DEL, fd, 0, 0)
      }
      return state.waiters.removeValue(forKey: fd)
    }
    waiter?.continuation.resume(returning: .failure(SSHError(.internalFailure("socket \(fd) closed while a wait was pending"))))
  }

  /// Stops the loop, fails pending and later waits, closes the descriptors and waits for the
  /// thread to end. For tests, which start reactors of their own; the shared one runs for ever.
  func shutdown() {
    guard case .success(let made) = descriptors else { return }
    let thread = state.withLock { state -> pthread_t? in
      guard state.failure == nil else { return nil }
      state.failure = SSHError(.internalFailure("the reactor was shut down"))
      _ = cfleet_eventfd_signal(made.wake)
      return state.thread
    }
    if let thread { pthread_join(thread, nil) }
  }

  // MARK: The loop

  private func loop(_ made: Descriptors) {
    let capacity: Int32 = 256
    var tokens = [UInt64](repeating: 0, count: Int(capacity))
    var masks = [UInt32](repeating: 0, count: Int(capacity))
    while true {
      // The timeout is computed and published in one critical section, so a waiter that comes
      // after it sees `.sleeping` and writes the eventfd: epoll_wait then returns at once.
      let timeout = state.withLock { state -> Int32? in
        if state.failure != nil { return nil }
        let earliest = Self.earliestLiveDeadline(&state)
        state.loop = .sleeping(until: earliest)
        return earliest.map { Self.milliseconds(from: clock.now, to: $0) } ?? -1
      }
      guard let timeout else { break }
      let count = tokens.withUnsafeMutableBufferPointer { tokenBuffer in
        masks.withUnsafeMutableBufferPointer { maskBuffer in
          cfleet_epoll_wait(made.epoll, tokenBuffer.baseAddress, maskBuffer.baseAddress, capacity, timeout)
        }
      }
      if count < 0 {
        let code = errno
        if code == EINTR { continue }
        stop(made, with: SSHError(.ioUnavailable(call: "epoll_wait", errno: code)))
        return
      }
      var events: [(fd: Int32, id: UInt64)] = []
      for index in 0..<Int(count) {
        let (fd, id) = Self.split(tokens[index])
        if fd == made.wake {
          _ = cfleet_eventfd_drain(made.wake)
        } else {
          events.append((fd, id))
        }
      }
      let now = clock.now
      // Waiters are taken out under the lock and resumed after it: each resumed task may at
      // once call `wait` again, which takes this lock, and the loop holds it as briefly as it can.
      var ready: [Waiter] = []
      var expired: [Waiter] = []
      state.withLock { state in
        state.loop = .awake
        for event in events where state.waiters[event.fd]?.id.tokenBits == event.id {
          // An event for an older wait on a reused or re-armed descriptor fails this test
          // (swift-nio keeps a registration id for the same reason).
          if let waiter = state.waiters.removeValue(forKey: event.fd) { ready.append(waiter) }
        }
        while let first = state.deadlines.first, first.deadline <= now {
          state.deadlines.removeFirst()
          if state.waiters[first.fd]?.id == first.id, let waiter = state.waiters.removeValue(forKey: first.fd) {
            expired.append(waiter)
          }
        }
      }
      for waiter in ready { waiter.continuation.resume(returning: .success(.ready)) }
      for waiter in expired { waiter.continuation.resume(returning: .success(.timedOut)) }
    }
    stop(made, with: nil)
  }

  /// Ends the loop: fails every pending wait (with `error`, or the failure already stored)
  /// and closes the descriptors. Closing under the lock keeps `wait`, `forget` and `shutdown`,
  /// which use the descriptors under the same lock, from reaching a closed or reused number.
  private func stop(_ made: Descriptors, with error: SSHError?) {
    let (pending, failure) = state.withLock { state -> ([Waiter], SSHError) in
      let failure = state.failure ?? error ?? SSHError(.internalFailure("the reactor stopped"))
      state.failure = failure
      let pending = Array(state.waiters.values)
      state.waiters.removeAll()
      state.registered.removeAll()
      state.deadlines = DeadlineHeap()
      Glibc.close(made.wake)
      Glibc.close(made.epoll)
      return (pending, failure)
    }
    for waiter in pending { waiter.continuation.resume(returning: .failure(failure)) }
  }

  /// The earliest deadline of a waiter still waiting; drops the stale entries on top and
  /// rebuilds the heap when stale entries outnumber live ones (most waits end ready).
  private static func earliestLiveDeadline(_ state: inout State) -> ContinuousClock.Instant? {
    if state.deadlines.count > 2 * state.waiters.count + 64 {
      let waiters = state.waiters
      state.deadlines.rebuild { waiters[$0.fd]?.id == $0.id }
    }
    while let first = state.deadlines.first {
      if state.waiters[first.fd]?.id == first.id { return first.deadline }
      state.deadlines.removeFirst()
    }
    return nil
  }

  /// epoll_wait's timeout: the time to `deadline` rounded up to a millisecond (0 when it has
  /// passed), at most `Int32.max` ms (24 days; the loop then looks again).
  static func milliseconds(from now: ContinuousClock.Instant, to deadline: ContinuousClock.Instant) -> Int32 {
    guard deadline > now else { return 0 }
    let (seconds, attoseconds) = (deadline - now).components
    let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
    let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
    guard !milliseconds.overflow else { return Int32.max }
    let total = milliseconds.partialValue.addingReportingOverflow((attoseconds + attosecondsPerMillisecond - 1) / attosecondsPerMillisecond)
    return total.overflow ? Int32.max : Int32(clamping: total.partialValue)
  }

  /// The epoll token of a wait: the descriptor in the high 32 bits, the low 32 bits of the
  /// waiter's id below (ids wrap after 4 billion waits, far apart in time).
  static func token(fd: Int32, id: UInt64) -> UInt64 {
    UInt64(UInt32(bitPattern: fd)) << 32 | id.tokenBits
  }

  private static func split(_ token: UInt64) -> (fd: Int32, id: UInt64) {
    (Int32(bitPattern: UInt32(truncatingIfNeeded: token >> 32)), token & 0xFFFF_FFFF)
  }
}

extension UInt64 {
  /// The part of a waiter id that travels in its epoll token.
  fileprivate var tokenBits: UInt64 { self & 0xFFFF_FFFF }
}
