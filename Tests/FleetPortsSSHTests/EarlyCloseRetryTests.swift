import FleetPortsCore
import Testing
@testable import FleetPortsSSH

/// The retry decision for connections closed before SSH started, and its backoff schedule.
@Suite struct EarlyCloseRetryTests {
  static let earlyClose = SSHError(.connectionLost(.handshake, "the peer closed the connection before SSH started (banner)"))

  /// Errors that must never be retried: the next attempt would fail the same way, or would
  /// log in a second time.
  static let notRetried: [SSHError.Kind] = [
    .connectionRefused, .unreachable("No route to host"), .resolveFailed("unknown host"), .timedOut(.connect, seconds: 5),
    .timedOut(.handshake, seconds: 10), .hostKeyUnknown(keyType: "ssh-ed25519", fingerprint: "SHA256:x"),
    .hostKeyChanged(keyType: "ssh-ed25519", fingerprint: "SHA256:x", knownLines: [1], knownHostsPath: "/k"),
    .authenticationFailed(tried: ["/k"], serverAccepts: ["publickey"]), .tooManyAuthenticationFailures(offered: ["/k"]),
    .algorithmIncompatible("kex"), .channelRefused("exec"), .connectionLost(.authentication, "reset"),
    .connectionLost(.command, "reset"), .cancelled, .internalFailure("x"),
  ]

  @Test func onlyACloseDuringTheHandshakeIsAnEarlyClose() {
    #expect(EarlyCloseRetry.isEarlyClose(Self.earlyClose))
    #expect(EarlyCloseRetry.isEarlyClose(SSHError(.connectionLost(.handshake, "Unable to send"))))
    for kind in Self.notRetried {
      #expect(!EarlyCloseRetry.isEarlyClose(SSHError(kind)), "\(kind)")
      #expect(EarlyCloseRetry().nextDelay(after: SSHError(kind), attempt: 1, elapsed: .zero, budget: .seconds(30), unit: 0.5) == nil, "\(kind)")
    }
  }

  @Test func delaysDoubleWithinTheirJitterBand() {
    let retry = EarlyCloseRetry()
    #expect(retry.delay(beforeRetry: 1, unit: 0.5) == .milliseconds(100))
    #expect(retry.delay(beforeRetry: 2, unit: 0.5) == .milliseconds(200))
    #expect(retry.delay(beforeRetry: 3, unit: 0.5) == .milliseconds(400))
    #expect(retry.delay(beforeRetry: 4, unit: 0.5) == .milliseconds(800))
    // ±50 %: the band's ends.
    #expect(retry.delay(beforeRetry: 1, unit: 0) == .milliseconds(50))
    #expect(retry.delay(beforeRetry: 4, unit: 1) == .milliseconds(1200))
    // Any random number stays in the band.
    for unit in stride(from: 0.0, to: 1.0, by: 0.05) {
      for n in 1...4 {
        let wait = retry.delay(beforeRetry: n, unit: unit)
        let nominal = Duration.milliseconds(100) * (1 << (n - 1))
        #expect(wait >= nominal * 0.5 && wait <= nominal * 1.5)
      }
    }
  }

  @Test func theAttemptsAreBounded() {
    let retry = EarlyCloseRetry()
    #expect(retry.maxAttempts == 5)
    for attempt in 1...4 {
      #expect(retry.nextDelay(after: Self.earlyClose, attempt: attempt, elapsed: .zero, budget: .seconds(30), unit: 0.5) != nil)
    }
    #expect(retry.nextDelay(after: Self.earlyClose, attempt: 5, elapsed: .zero, budget: .seconds(30), unit: 0.5) == nil)
    #expect(EarlyCloseRetry.never.nextDelay(after: Self.earlyClose, attempt: 1, elapsed: .zero, budget: .seconds(30), unit: 0.5) == nil)
  }

  @Test func noRetryWaitsPastTheDeadline() {
    let retry = EarlyCloseRetry()
    // 100 ms left, the next wait is 400 ms: give up now rather than overrun the host's deadline.
    #expect(retry.nextDelay(after: Self.earlyClose, attempt: 3, elapsed: .milliseconds(900), budget: .seconds(1), unit: 0.5) == nil)
    #expect(retry.nextDelay(after: Self.earlyClose, attempt: 3, elapsed: .milliseconds(500), budget: .seconds(1), unit: 0.5) == .milliseconds(400))
  }

  @Test func theGiveUpMessageNamesMaxStartupsAndTheAttempts() {
    let error = SSHError(.closedBeforeSSH(attempts: 5), host: "web1")
    #expect(
      error.description
        == "web1: the server closed the connection before SSH started, 5 times: sshd's MaxStartups may be throttling;"
        + " lower --parallel or --per-server, or raise MaxStartups on the server")
    #expect(error.code == .connectionLost)
  }
}
