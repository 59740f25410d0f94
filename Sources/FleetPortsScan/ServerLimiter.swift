/// At most `limit` hosts at once per server (one `address:port`). Inventories often name one
/// server many times (jump hosts, containers behind one port, aliases), and sshd's MaxStartups
/// drops connections beyond its start value (10 by default) at random. Hosts waiting for their
/// server's turn hold a place in the scan's sliding window, so `--parallel` still counts hosts.
/// Waiters queue in order, suspended (no polling); a cancelled waiter leaves the queue at once.
actor ServerLimiter {
  /// Hosts per server at once.
  let limit: Int
  /// Slots taken per server.
  private var inUse: [String: Int] = [:]
  /// Hosts waiting per server, oldest first, each resumed with true (the slot is theirs) or
  /// false (cancelled while waiting).
  private var waiting: [String: [(id: UInt64, continuation: CheckedContinuation<Bool, Never>)]] = [:]
  private var nextID: UInt64 = 0

  /// A limiter of `limit` (at least 1) hosts per server.
  init(limit: Int) {
    self.limit = max(1, limit)
  }

  /// Waits until `server` has a free slot and takes it.
  /// - Parameter server: the `address:port` the host is reached at.
  /// - Returns: true with the slot taken (give it back with `release`); false when the task
  ///   was cancelled before a slot came (nothing to give back).
  func acquire(_ server: String) async -> Bool {
    if Task.isCancelled { return false }
    if inUse[server, default: 0] < limit {
      inUse[server, default: 0] += 1
      return true
    }
    let id = nextID
    nextID += 1
    return await withTaskCancellationHandler {
      // Runs on this actor before suspending: the waiter is queued before any cancellation
      // handler's hop to the actor can look for it.
      await withCheckedContinuation { continuation in
        waiting[server, default: []].append((id, continuation))
      }
    } onCancel: {
      Task { await self.abandon(server, id: id) }
    }
  }

  /// Gives `server`'s slot back: to the oldest waiter when there is one.
  /// - Parameter server: the `address:port` whose slot `acquire` returned.
  func release(_ server: String) {
    if var queue = waiting[server], !queue.isEmpty {
      let next = queue.removeFirst()
      waiting[server] = queue.isEmpty ? nil : queue
      // The slot passes to the waiter: the count stays.
      next.continuation.resume(returning: true)
      return
    }
    let left = inUse[server, default: 1] - 1
    inUse[server] = left > 0 ? left : nil
  }

  /// Removes a cancelled waiter and resumes it empty-handed; nothing when it already got its slot.
  private func abandon(_ server: String, id: UInt64) {
    guard var queue = waiting[server], let index = queue.firstIndex(where: { $0.id == id }) else { return }
    let gone = queue.remove(at: index)
    waiting[server] = queue.isEmpty ? nil : queue
    gone.continuation.resume(returning: false)
  }
}
