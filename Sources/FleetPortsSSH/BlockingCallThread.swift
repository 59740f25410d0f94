import Dispatch
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// One dedicated thread for calls that block and have no non-blocking form: libssh2 talks to
/// ssh-agent over a blocking Unix socket (connect, list identities, sign). Run on Swift's
/// cooperative pool (two threads on these machines), a slow agent would stall every session;
/// here it stalls only the sessions that use the agent, which serialises signing anyway.
/// swift-subprocess's `runOnBackgroundThread` has the same shape: a worker thread, a queue,
/// and a continuation per call.
final class BlockingCallThread: Sendable {
  /// The process-wide thread; it starts on first use and lives as long as the process.
  static let shared = BlockingCallThread(name: "fleetports-agent")

  /// The calls waiting for the thread, oldest first, and a count of them it sleeps on.
  private final class Queue: Sendable {
    let calls = Mutex<[@Sendable () -> Void]>([])
    let available = DispatchSemaphore(value: 0)
  }

  private let queue: Queue
  private let started: Result<pthread_t, SSHError>

  init(name: String) {
    let queue = Queue()
    self.queue = queue
    started = SystemThread.start(name: name) {
      while true {
        queue.available.wait()
        // Taken out under the lock, run after it: the call may block for a long time.
        guard let call = queue.calls.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
        call()
      }
    }
  }

  /// Runs `body` on the thread and returns its result; the task is suspended meanwhile.
  /// It cannot be cancelled or timed out: the blocking call holds libssh2 handles that the
  /// task owns, so the task must not go on (and free them) before the call returns.
  /// - Throws: `.ioUnavailable` when the thread could not be started.
  func run<R: Sendable>(_ body: @escaping @Sendable () -> R) async throws(SSHError) -> R {
    if case .failure(let error) = started { throw error }
    return await withCheckedContinuation { (continuation: CheckedContinuation<R, Never>) in
      queue.calls.withLock { $0.append { continuation.resume(returning: body()) } }
      queue.available.signal()
    }
  }
}

/// Carries a value that is not Sendable (a libssh2 handle) to the blocking-call thread.
/// Unchecked on purpose, and safe because the task that owns the handle is suspended until
/// that thread is done with it: one thread uses the handle at a time, and resuming the
/// continuation orders the two.
struct UnsafeTransfer<Value>: @unchecked Sendable {
  let value: Value
}
