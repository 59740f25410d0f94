import CFleetShims
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// What a socket wait is for: libssh2's block directions, or a non-blocking connect.
public struct IODirections: OptionSet, Sendable {
  public let rawValue: UInt32
  public init(rawValue: UInt32) { self.rawValue = rawValue }
  public static let readable = IODirections(rawValue: CFLEET_EPOLLIN)
  public static let writable = IODirections(rawValue: CFLEET_EPOLLOUT)
}

/// How a wait ended.
public enum WaitOutcome: Sendable {
  case ready
  case timedOut
}

/// One thread in `epoll_wait` that resumes the tasks waiting on sockets. Every SSH session
/// is an async task; when libssh2 says EAGAIN the task awaits here, so the cooperative pool
/// (two threads on these machines) never blocks and no host gets a thread of its own.
public final class Reactor: Sendable {
  /// The process-wide reactor; its thread starts on first use and lives as long as the process.
  public static let shared = Reactor()

  struct Waiter {
    var id: UInt64
    var fd: Int32
    var deadline: ContinuousClock.Instant
    var continuation: CheckedContinuation<WaitOutcome, any Error>
  }

  struct State {
    var nextID: UInt64 = 1
    /// The single waiter per descriptor (a session never waits twice on its socket at once).
    var waiters: [Int32: Waiter] = [:]
    /// Descriptors added to epoll, so the next wait uses MOD instead of ADD.
    var registered: Set<Int32> = []
    /// Ids whose task was cancelled before its waiter was stored.
    var cancelledEarly: Set<UInt64> = []
  }

  private let epollFD: Int32
  private let wakeFD: Int32
  private let state = Mutex(State())
  /// The longest the loop sleeps; it bounds how late a deadline can fire.
  static let tick: Int32 = 50

  private init() {
    epollFD = cfleet_epoll_create()
    wakeFD = cfleet_eventfd()
    precondition(epollFD >= 0 && wakeFD >= 0, "epoll/eventfd unavailable: errno \(errno)")
    _ = cfleet_epoll_ctl(epollFD, CFLEET_EPOLL_CTL_ADD, wakeFD, CFLEET_EPOLLIN)
    let thread = Thread { [self] in self.loop() }
    thread.name = "fleetports-reactor"
    thread.start()
  }

  /// Waits until `fd` is ready in one of `directions`, or `deadline` passes.
  /// - Throws: `CancellationError` when the task is cancelled while waiting.
  public func wait(fd: Int32, for directions: IODirections, until deadline: ContinuousClock.Instant) async throws -> WaitOutcome {
    let id = state.withLock { state -> UInt64 in
      defer { state.nextID += 1 }
      return state.nextID
    }
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WaitOutcome, any Error>) in
        let failure: (any Error)? = state.withLock { state in
          if state.cancelledEarly.remove(id) != nil { return CancellationError() }
          let op = state.registered.contains(fd) ? CFLEET_EPOLL_CTL_MOD : CFLEET_EPOLL_CTL_ADD
          let events = directions.rawValue | CFLEET_EPOLLONESHOT
          if cfleet_epoll_ctl(epollFD, op, fd, events) != 0 {
            return SSHError(.internalFailure("epoll_ctl failed: \(String(cString: strerror(errno)))"))
          }
          state.registered.insert(fd)
          state.waiters[fd] = Waiter(id: id, fd: fd, deadline: deadline, continuation: continuation)
          return nil
        }
        if let failure { continuation.resume(throwing: failure) }
      }
    } onCancel: {
      let waiter = state.withLock { state -> Waiter? in
        for (fd, waiter) in state.waiters where waiter.id == id {
          state.waiters[fd] = nil
          return waiter
        }
        state.cancelledEarly.insert(id)
        return nil
      }
      waiter?.continuation.resume(throwing: CancellationError())
    }
  }

  /// Removes `fd` from epoll; call before closing it, so a reused number starts clean.
  public func forget(fd: Int32) {
    let waiter = state.withLock { state -> Waiter? in
      if state.registered.remove(fd) != nil {
        _ = cfleet_epoll_ctl(epollFD, CFLEET_EPOLL_CTL_DEL, fd, 0)
      }
      return state.waiters.removeValue(forKey: fd)
    }
    waiter?.continuation.resume(throwing: SSHError(.internalFailure("socket closed while a wait was pending")))
  }

  private func loop() {
    var fds = [Int32](repeating: 0, count: 256)
    var masks = [UInt32](repeating: 0, count: 256)
    let clock = ContinuousClock()
    while true {
      let count = fds.withUnsafeMutableBufferPointer { fdBuffer in
        masks.withUnsafeMutableBufferPointer { maskBuffer in
          cfleet_epoll_wait(epollFD, fdBuffer.baseAddress, maskBuffer.baseAddress, 256, Reactor.tick)
        }
      }
      var ready: [CheckedContinuation<WaitOutcome, any Error>] = []
      var expired: [CheckedContinuation<WaitOutcome, any Error>] = []
      let now = clock.now
      state.withLock { state in
        if count > 0 {
          for i in 0..<Int(count) where fds[i] != wakeFD {
            if let waiter = state.waiters.removeValue(forKey: fds[i]) { ready.append(waiter.continuation) }
          }
        }
        for (fd, waiter) in state.waiters where waiter.deadline <= now {
          state.waiters[fd] = nil
          expired.append(waiter.continuation)
        }
      }
      for continuation in ready { continuation.resume(returning: .ready) }
      for continuation in expired { continuation.resume(returning: .timedOut) }
    }
  }
}
