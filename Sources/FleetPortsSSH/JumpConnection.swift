import CFleetShims
import FleetPortsCore
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// One jump host's SSH session (the last hop of a chain) and the task that owns it: the task
/// connects, checks the host key, logs in, then pumps bytes between its `direct-tcpip`
/// channels and the local sockets handed to targets (`ChannelPump`). Targets ask for channels
/// through `open`, from any task; only the owning task ever touches libssh2.
final class JumpConnection: Sendable {
  /// A target waiting for a channel.
  struct Request {
    let id: UInt64
    let host: String
    let port: Int
    /// Resumed with the socket, with nil when the connection was retired before the request
    /// was served (the pool asks a fresh one), or with the error.
    let continuation: CheckedContinuation<Result<Int32?, SSHError>, Never>
  }

  private enum Phase {
    case idle
    case running
    /// The session could not be made or broke: every request gets this error.
    case failed(SSHError)
    /// `stop` ran: requests are cancelled.
    case stopped
    /// An open hung past its deadline and blocks the opens behind it (libssh2 opens one at a
    /// time): the session keeps serving its open channels, new requests go to a fresh one.
    case retired
  }

  private struct Shared {
    var phase: Phase = .idle
    /// Requests not yet taken by the pump, oldest first.
    var queue: [Request] = []
    /// Requests cancelled after the pump took them; the pump drops them.
    var cancelled: Set<UInt64> = []
    var task: Task<Void, Never>?
  }

  let pool: JumpPool
  let hops: [JumpHop]
  /// The eventfd that wakes the pump for a new or cancelled request or for `stop`.
  let wake: Int32
  private let shared = Mutex(Shared())
  private let nextID = Atomic<UInt64>(1)
  /// How many times the pump's wait has ended (an event or a deadline). A pump with nothing
  /// to do sleeps; tests read this to see that it does.
  let pumpWakes = Atomic<Int>(0)

  init(pool: JumpPool, hops: [JumpHop]) {
    self.pool = pool
    self.hops = hops
    wake = cfleet_eventfd()
  }

  deinit { if wake >= 0 { Glibc.close(wake) } }

  /// The last hop, as messages name it.
  var label: String { hops.last?.label ?? "?" }

  /// The error the session failed or broke with; nil otherwise.
  var failure: SSHError? {
    shared.withLock { state in
      if case .failed(let error) = state.phase { return error }
      return nil
    }
  }

  /// Starts the owning task, once.
  func startOnce() {
    shared.withLock { state in
      guard case .idle = state.phase else { return }
      state.phase = .running
      state.task = Task { await self.run() }
    }
  }

  /// Asks for a channel to `host:port`; waits (in order) for a free one.
  /// - Returns: the socket, or nil when this connection was retired (ask the pool again).
  func open(host: String, port: Int) async throws(SSHError) -> Int32? {
    let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
    let result = await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Result<Int32?, SSHError>, Never>) in
        let refusal: Result<Int32?, SSHError>? = shared.withLock { state in
          switch state.phase {
          case .failed(let error): return .failure(error)
          case .stopped: return .failure(SSHError(.cancelled))
          case .retired: return .success(nil)
          case .idle, .running: break
          }
          if Task.isCancelled { return .failure(SSHError(.cancelled)) }
          state.queue.append(Request(id: id, host: host, port: port, continuation: continuation))
          return nil
        }
        if let refusal { continuation.resume(returning: refusal) } else { signal() }
      }
    } onCancel: {
      let waiting = shared.withLock { state -> Request? in
        if let index = state.queue.firstIndex(where: { $0.id == id }) { return state.queue.remove(at: index) }
        state.cancelled.insert(id)
        return nil
      }
      waiting?.continuation.resume(returning: .failure(SSHError(.cancelled)))
      signal()
    }
    return try result.get()
  }

  /// Counts one end of the pump's wait (`pumpWakes`).
  func notePumpWake() { pumpWakes.add(1, ordering: .relaxed) }

  /// Wakes the pump.
  func signal() { _ = cfleet_eventfd_signal(wake) }

  /// The oldest waiting request, taken out of the queue.
  func takeRequest() -> Request? {
    shared.withLock { state in state.queue.isEmpty ? nil : state.queue.removeFirst() }
  }

  var hasWaitingRequests: Bool { shared.withLock { !$0.queue.isEmpty } }

  /// Whether the request `id`, taken by the pump, was cancelled since (and forgets it).
  func wasCancelled(_ id: UInt64) -> Bool {
    shared.withLock { $0.cancelled.remove(id) != nil }
  }

  /// Marks the session failed with `error` and fails every waiting request with it.
  func fail(_ error: SSHError) {
    let waiting = shared.withLock { state -> [Request] in
      switch state.phase {
      case .running, .retired: state.phase = .failed(error)
      case .idle, .failed, .stopped: break
      }
      defer { state.queue.removeAll() }
      return state.queue
    }
    for request in waiting { request.continuation.resume(returning: .failure(error)) }
  }

  /// Takes no more requests: the waiting ones are sent back to the pool (resumed with nil).
  func retire() {
    let waiting = shared.withLock { state -> [Request] in
      if case .running = state.phase { state.phase = .retired }
      defer { state.queue.removeAll() }
      return state.queue
    }
    for request in waiting { request.continuation.resume(returning: .success(nil)) }
  }

  /// Cancels the session: the task ends, closing its channels and socket.
  func stop() {
    let (task, waiting) = shared.withLock { state -> (Task<Void, Never>?, [Request]) in
      switch state.phase {
      case .idle, .running, .retired: state.phase = .stopped
      case .failed, .stopped: break
      }
      defer { state.queue.removeAll() }
      return (state.task, state.queue)
    }
    for request in waiting { request.continuation.resume(returning: .failure(SSHError(.cancelled))) }
    task?.cancel()
    signal()
  }

  /// Waits until the owning task has ended.
  func finished() async {
    let task = shared.withLock { $0.task }
    await task?.value
  }

  // MARK: The owning task

  private func run() async {
    guard let hop = hops.last else { return }
    let client = pool.client(for: hop)
    let route: ProxyRoute = hops.count > 1 ? .jump(Array(hops.dropLast())) : .direct
    let connection = SSHConnection(client: client, target: SSHTarget(host: hop.address, port: hop.port, user: hop.user, route: route))
    do throws(SSHError) {
      guard wake >= 0 else { throw SSHError(.ioUnavailable(call: "eventfd", errno: ENFILE)) }
      try await connection.connect()
      let deadline = ContinuousClock.now + client.deadlines.handshakeAndAuth
      try await connection.handshake(until: deadline)
      _ = try connection.checkHostKey()
      try await connection.authenticate(until: deadline)
    } catch {
      connection.close(graceful: false)
      fail(error.viaJumpHost(label))
      return
    }
    guard let session = connection.session else {
      // Never after a login that succeeded; if it were, the queued targets must not wait forever.
      connection.close(graceful: false)
      fail(SSHError(.internalFailure("the jump host's session is gone after login")).viaJumpHost(label))
      return
    }
    let pump = ChannelPump(jump: self, session: session, socket: connection.fd, limits: client.deadlines)
    let ending = await pump.run()
    // Failed before the channels close, so a target that sees its socket end finds the reason.
    fail(ending.map { $0.viaJumpHost(label) } ?? SSHError(.cancelled))
    pump.closeAll()
    connection.close(graceful: ending == nil)
  }
}
