import Testing
@testable import FleetPortsSSH

/// The resolver's race between the lookup, its timeout and cancellation.
@Suite struct ResumeOnceTests {
  /// A result that comes before the continuation is stored (a deadline already past) is
  /// handed over, not replaced by another; later results are ignored.
  @Test func resumeOnceKeepsAnEarlyResultForTheContinuation() async throws {
    let once = ResumeOnce<Int>()
    once.resume(with: .failure(SSHError(.timedOut(.resolve, seconds: 1))))
    once.resume(with: .success(7))
    let result = await withCheckedContinuation { once.set($0) }
    #expect(throws: SSHError(.timedOut(.resolve, seconds: 1))) { try result.get() }
  }

  @Test func resumeOnceTakesTheFirstResultOnly() async throws {
    let once = ResumeOnce<Int>()
    async let result = withCheckedContinuation { once.set($0) }
    try await Task.sleep(for: .milliseconds(50))
    once.resume(with: .success(1))
    once.resume(with: .success(2))
    #expect(try await result.get() == 1)
  }
}
