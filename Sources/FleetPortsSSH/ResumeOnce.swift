import Synchronization

/// A continuation that the first of several racers resumes (the resolver's lookup, its
/// timeout, cancellation); the later ones are ignored. A result that comes before the
/// continuation is stored is kept and handed over when it arrives.
final class ResumeOnce<Value: Sendable>: Sendable {
  typealias Continuation = CheckedContinuation<Result<Value, SSHError>, Never>

  private enum Phase {
    case waiting(Continuation?)
    /// Resumed, or answered before the continuation came (then `result` waits for it).
    case answered(Result<Value, SSHError>?)
  }

  private let phase = Mutex<Phase>(.waiting(nil))

  /// Stores the continuation, or resumes it at once when the answer came first.
  func set(_ continuation: Continuation) {
    // The continuation is resumed outside the lock, as everywhere in this module.
    let early = phase.withLock { phase -> Result<Value, SSHError>? in
      guard case .answered(let result) = phase else {
        phase = .waiting(continuation)
        return nil
      }
      phase = .answered(nil)
      return result
    }
    if let early { continuation.resume(returning: early) }
  }

  /// Hands `result` to the continuation if nothing did before.
  func resume(with result: Result<Value, SSHError>) {
    let continuation = phase.withLock { phase -> Continuation? in
      guard case .waiting(let continuation) = phase else { return nil }
      // Before `set`: keep the result for it.
      phase = .answered(continuation == nil ? result : nil)
      return continuation
    }
    continuation?.resume(returning: result)
  }
}
