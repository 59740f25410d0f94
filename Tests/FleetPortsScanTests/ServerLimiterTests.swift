import Foundation
import Testing

@testable import FleetPortsScan

/// The per-server limiter: never more than its limit at once per server, servers independent,
/// waiters served in turn, a cancelled waiter gone without taking a slot.
@Suite struct ServerLimiterTests {
  /// Counts holders per server and the most seen at once.
  actor Gauge {
    var now: [String: Int] = [:]
    var most: [String: Int] = [:]
    func enter(_ server: String) {
      now[server, default: 0] += 1
      most[server] = max(most[server, default: 0], now[server, default: 0])
    }
    func leave(_ server: String) { now[server, default: 0] -= 1 }
  }

  @Test func atMostTheLimitPerServerAtOnce() async {
    let limiter = ServerLimiter(limit: 3)
    let gauge = Gauge()
    await withTaskGroup(of: Void.self) { group in
      for index in 0..<40 {
        let server = index.isMultiple(of: 2) ? "10.0.0.1:22" : "10.0.0.2:22"
        group.addTask {
          guard await limiter.acquire(server) else { return }
          await gauge.enter(server)
          try? await Task.sleep(for: .milliseconds(5))
          await gauge.leave(server)
          await limiter.release(server)
        }
      }
    }
    #expect(await gauge.most == ["10.0.0.1:22": 3, "10.0.0.2:22": 3])
    #expect(await gauge.now.values.allSatisfy { $0 == 0 })
  }

  @Test func aCancelledWaiterLeavesWithoutASlot() async throws {
    let limiter = ServerLimiter(limit: 1)
    #expect(await limiter.acquire("a:22"))
    let waiter = Task { await limiter.acquire("a:22") }
    try await Task.sleep(for: .milliseconds(50))
    waiter.cancel()
    #expect(await waiter.value == false)
    // The slot is still the first holder's; given back, the next one gets it at once.
    await limiter.release("a:22")
    #expect(await limiter.acquire("a:22"))
    await limiter.release("a:22")
    // A task cancelled before it asks gets nothing either.
    let late = Task {
      withUnsafeCurrentTask { $0?.cancel() }
      return await limiter.acquire("a:22")
    }
    #expect(await late.value == false)
  }

  @Test func aReleasedSlotGoesToTheOldestWaiter() async throws {
    let limiter = ServerLimiter(limit: 1)
    #expect(await limiter.acquire("a:22"))
    let first = Task { await limiter.acquire("a:22") }
    try await Task.sleep(for: .milliseconds(50))
    let second = Task { await limiter.acquire("a:22") }
    try await Task.sleep(for: .milliseconds(50))
    await limiter.release("a:22")
    #expect(await first.value)
    second.cancel()
    #expect(await second.value == false)
  }
}
