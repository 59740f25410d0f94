import CFleetShims

#if canImport(Glibc)
  import Glibc
#endif

/// A POSIX thread for a loop that runs for a long time (the reactor, the blocking-call
/// thread). pthread_create is called directly, as swift-subprocess does, so a failure comes
/// back as an error the caller can keep instead of crashing the process.
enum SystemThread {
  /// Carries the body through pthread_create's `void *` argument.
  private final class Body {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
  }

  /// Starts a joinable thread running `body`, named `name` (cut to the kernel's 15 bytes) for
  /// `top -H` and debuggers.
  /// - Returns: the thread, or `.ioUnavailable(call: "pthread_create", …)`.
  static func start(name: String, _ body: @escaping @Sendable () -> Void) -> Result<pthread_t, SSHError> {
    let context = Unmanaged.passRetained(Body(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(
      &thread, nil,
      { raw in
        guard let raw else { return nil }
        Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
        return nil
      }, context)
    guard rc == 0 else {
      Unmanaged<Body>.fromOpaque(context).release()
      // pthread_create returns its error instead of setting errno.
      return .failure(SSHError(.ioUnavailable(call: "pthread_create", errno: rc)))
    }
    _ = cfleet_thread_set_name(thread, String(name.utf8.prefix(15)) ?? "fleetports")
    return .success(thread)
  }
}
