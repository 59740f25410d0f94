/// When a connection that the server closed before SSH started is tried again, and after how
/// long. sshd's `MaxStartups` drops a share of the connections beyond its start value at
/// random: it accepts and closes at once, before its banner. Such a close costs the server
/// nothing, and a later attempt usually gets in, so it is retried: a bounded number of times,
/// with jittered exponential backoff (so the hosts sharing a server do not come back together),
/// and only while the host's deadline has room. Nothing else is retried: a refusal, an
/// unreachable host, a host-key or authentication failure would fail the same way again, and a
/// connection lost after authentication started would mean logging in twice.
public struct EarlyCloseRetry: Sendable, Hashable {
  /// Attempts in all, the first one included.
  public var maxAttempts: Int
  /// The delay before the first retry; each later one doubles it.
  public var baseDelay: Duration
  /// How far each delay may stray from its nominal value, as a fraction of it (0.5: ±50 %).
  public var jitter: Double

  /// The default: 5 attempts (4 retries) after 100 ms × 2ⁿ ± 50 %, at most 2.25 s of waiting.
  public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(100), jitter: Double = 0.5) {
    self.maxAttempts = max(1, maxAttempts)
    self.baseDelay = baseDelay
    self.jitter = min(max(jitter, 0), 1)
  }

  /// No retry at all: one attempt, as `SSHConnection` makes.
  public static let never = EarlyCloseRetry(maxAttempts: 1)

  /// Whether `error` is a close by the server before authentication began: lost during the
  /// banner exchange or the key exchange. Only `.connectionLost(.handshake, …)` is: the
  /// handshake phase ends before the first authentication request is sent.
  /// - Parameter error: what one attempt threw.
  /// - Returns: true when a new connection may be tried without any risk of a double login.
  public static func isEarlyClose(_ error: SSHError) -> Bool {
    if case .connectionLost(.handshake, _) = error.kind { return true }
    return false
  }

  /// The wait before retry number `retry` (1 for the first retry).
  /// - Parameters:
  ///   - retry: which retry this is, from 1.
  ///   - unit: a random number in 0..<1 that places the delay in its jitter band (0.5 is the
  ///     nominal delay).
  /// - Returns: `baseDelay × 2^(retry−1) × (1 + jitter × (2 × unit − 1))`.
  public func delay(beforeRetry retry: Int, unit: Double) -> Duration {
    let nominal = baseDelay * (1 << min(max(retry - 1, 0), 20))
    let factor = 1 + jitter * (2 * min(max(unit, 0), 1) - 1)
    return nominal * factor
  }

  /// What to do after attempt `attempt` failed with `error`.
  /// - Parameters:
  ///   - error: what the attempt threw.
  ///   - attempt: the attempt that failed, from 1.
  ///   - elapsed: time since the first attempt started.
  ///   - budget: the host's deadline for getting in, counted from the first attempt.
  ///   - unit: a random number in 0..<1 for the jitter.
  /// - Returns: the wait before the next attempt, or nil to give up (not an early close, the
  ///   attempts are used up, or the wait would end past the budget).
  public func nextDelay(after error: SSHError, attempt: Int, elapsed: Duration, budget: Duration, unit: Double) -> Duration? {
    guard Self.isEarlyClose(error), attempt < maxAttempts else { return nil }
    let wait = delay(beforeRetry: attempt, unit: unit)
    guard elapsed + wait < budget else { return nil }
    return wait
  }
}
