import Dispatch
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Turns the first Ctrl-C into cancelling the scan; a second one exits at once.
///
/// `@unchecked`: Dispatch's signal source is not marked Sendable; it is touched only in
/// `init` and `stop`, by the task that made the handler, and the event handler touches only
/// `count`, which is a Mutex.
final class InterruptHandler: @unchecked Sendable {
  private let source: any DispatchSourceSignal
  /// Ctrl-Cs seen; the handler runs on a global queue.
  private let count = Mutex(0)

  init(onInterrupt: @escaping @Sendable () -> Void) {
    signal(SIGINT, SIG_IGN)
    source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source.setEventHandler { [unowned self] in
      let seen = count.withLock { count in
        count += 1
        return count
      }
      if seen > 1 { _exit(130) }
      FileOutput.standardError("\ninterrupted: finishing up (Ctrl-C again to quit at once)\n")
      onInterrupt()
    }
    source.resume()
  }

  func stop() {
    source.cancel()
    signal(SIGINT, SIG_DFL)
  }
}
