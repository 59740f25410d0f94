import CFleetShims
import CLibSSH2
import FleetPortsCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One host's socket, libssh2 session and channel, owned by the one task that audits it.
/// Not Sendable on purpose: libssh2 handles must never be used from two threads at once.
final class SSHConnection {
  let client: SSHClient
  let target: SSHTarget
  let clock = ContinuousClock()
  // Owned by this connection; the extensions (host key, authentication, command) use them.
  var fd: Int32 = -1
  var session: OpaquePointer?
  var channel: OpaquePointer?
  /// The ProxyCommand child carrying `fd`, for a `.command` route.
  var proxy: ProxyCommandProcess?

  init(client: SSHClient, target: SSHTarget) {
    self.client = client
    self.target = target
  }

  deinit { close(graceful: false) }

  /// Connects, checks the host key, logs in and runs `command` (one attempt).
  /// - Parameters:
  ///   - command: the command line sshd runs.
  ///   - stdin: bytes fed to it, then EOF; nil: none.
  ///   - notAfter: the latest the connect, handshake and login may end (a retry shares the
  ///     first attempt's deadline); nil: each phase gets its whole deadline from now.
  /// - Returns: the command's output, exit status and the host key's fingerprint.
  /// - Throws: `SSHError` for every failure, the phase's timeout included.
  func run(command: String, stdin: [UInt8]?, notAfter: ContinuousClock.Instant? = nil) async throws(SSHError) -> SSHCommandResult {
    try await connect(notAfter: notAfter)
    let fullSetup = clock.now + client.deadlines.handshakeAndAuth
    let setupDeadline = notAfter.map { min(fullSetup, $0) } ?? fullSetup
    try await handshake(until: setupDeadline)
    let fingerprint = try checkHostKey()
    try await authenticate(until: setupDeadline)
    let commandDeadline = clock.now + client.deadlines.command
    var result = try await execute(command, stdin: stdin, until: commandDeadline)
    result.hostKeyFingerprint = fingerprint
    return result
  }

  // MARK: Connect

  /// Gives the session its socket: a TCP connection, a `direct-tcpip` channel through the
  /// route's jump hosts (one end of a socketpair the jump host's pump carries), or the
  /// ProxyCommand's stdin and stdout.
  func connect(notAfter: ContinuousClock.Instant? = nil) async throws(SSHError) {
    if Task.isCancelled { throw SSHError(.cancelled) }
    switch target.route {
    case .direct:
      try await connectDirectly(notAfter: notAfter)
    case .jump(let hops):
      guard let jumps = client.jumps else { throw SSHError(.internalFailure("a jump route without a jump pool")) }
      fd = try await jumps.channel(through: hops, to: target.host, port: target.port)
    case .command(let line, let template):
      let started = try ProxyCommandProcess.start(line, template: template)
      fd = started.fd
      proxy = started.process
    }
  }

  /// When this connection ran through a ProxyCommand that ended or printed on stderr,
  /// `error` retold with the command's exit and stderr; otherwise `error` as it is.
  func explainedByProxyCommand(_ error: SSHError) -> SSHError {
    guard let proxy, case .command(_, let template) = target.route, error.kind != .cancelled else { return error }
    if case .proxyCommandFailed = error.kind { return error }
    guard let report = proxy.report() else { return error }
    // The session's view without its own fix: the command's failure is the one to fix.
    return SSHError(.proxyCommandFailed(command: template, exit: report.exit, stderr: report.stderr, reason: error.explanation.problem))
  }

  func connectDirectly(notAfter: ContinuousClock.Instant?) async throws(SSHError) {
    // Resolution and connecting share the connect deadline.
    let fullConnect = clock.now + client.deadlines.connect
    let deadline = notAfter.map { min(fullConnect, $0) } ?? fullConnect
    let addresses = try await SocketAddressResolver.resolve(
      target.host, port: target.port, until: deadline, limit: client.deadlines.connect)
    var lastError = SSHError(.unreachable("no address"))
    for address in addresses {
      let socketFD = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
      guard socketFD >= 0 else { throw SSHError(.internalFailure("socket(): \(String(cString: strerror(errno)))")) }
      var one: Int32 = 1
      _ = setsockopt(socketFD, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
      let rc = address.storage.withUnsafeBytes { raw in
        // swift-format-ignore: NeverForceUnwrap
        // A sockaddr_storage is never empty.
        Glibc.connect(socketFD, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
      }
      if rc != 0 && errno != EINPROGRESS {
        lastError = connectError(errno)
        Glibc.close(socketFD)
        continue
      }
      fd = socketFD
      if rc != 0 {
        let outcome = try await Reactor.shared.wait(fd: socketFD, for: .writable, until: deadline)
        if case .timedOut = outcome {
          throw SSHError(.timedOut(.connect, seconds: client.deadlines.connect.seconds))
        }
        var status: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(socketFD, SOL_SOCKET, SO_ERROR, &status, &length)
        if status != 0 {
          lastError = connectError(status)
          Reactor.shared.forget(fd: socketFD)
          Glibc.close(socketFD)
          fd = -1
          continue
        }
      }
      return
    }
    throw lastError
  }

  func connectError(_ code: Int32) -> SSHError {
    code == ECONNREFUSED ? SSHError(.connectionRefused) : SSHError(.unreachable(String(cString: strerror(code))))
  }

  // MARK: Driving libssh2

  /// Calls `body` until it stops returning EAGAIN, waiting on the socket in the
  /// directions libssh2 asks for; gives up at `deadline`.
  func drive<R: BinaryInteger>(_ phase: SSHPhase, until deadline: ContinuousClock.Instant, _ body: () -> R) async throws(SSHError) -> R {
    while true {
      let rc = body()
      if rc != R(LIBSSH2_ERROR_EAGAIN) { return rc }
      try await waitForSession(phase, until: deadline)
    }
  }

  func waitForSession(_ phase: SSHPhase, until deadline: ContinuousClock.Instant) async throws(SSHError) {
    let outcome = try await Reactor.shared.wait(fd: fd, for: directions(), until: deadline)
    if case .timedOut = outcome {
      let limit = phase == .command ? client.deadlines.command : client.deadlines.handshakeAndAuth
      throw SSHError(.timedOut(phase, seconds: limit.seconds))
    }
  }

  func directions() -> IODirections {
    guard let session else { return .readable }
    let flags = libssh2_session_block_directions(session)
    var directions: IODirections = []
    if flags & CFLEET_INBOUND != 0 { directions.insert(.readable) }
    if flags & CFLEET_OUTBOUND != 0 { directions.insert(.writable) }
    return directions.isEmpty ? .readable : directions
  }

  func lastError() -> String {
    guard let session else { return "no session" }
    var message: UnsafeMutablePointer<CChar>?
    var length: Int32 = 0
    libssh2_session_last_error(session, &message, &length, 0)
    return message.map { String(cString: $0) } ?? "unknown error"
  }

  func failure(_ kind: SSHError.Kind, _ code: some BinaryInteger) -> SSHError {
    SSHError(kind, libssh2Code: Int32(truncatingIfNeeded: code), libssh2Message: lastError())
  }

  // MARK: Teardown

  /// Frees the channel and session and closes the socket. A graceful close says goodbye
  /// first; otherwise the socket is shut down so libssh2 fails fast instead of waiting.
  func close(graceful: Bool) {
    if !graceful && fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
    // libssh2 answers EAGAIN from a free that still has bytes to send on a non-blocking
    // socket. The goodbye is best effort: a few retries send what the socket takes at once,
    // and a shut-down socket fails the rest fast; waiting here would hold every other host.
    if let channel {
      var tries = 0
      while libssh2_channel_free(channel) == LIBSSH2_ERROR_EAGAIN && tries < 8 { tries += 1 }
      self.channel = nil
    }
    if let session {
      if graceful { _ = cfleet_session_disconnect(session, "fleetports done") }
      if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
      var tries = 0
      while libssh2_session_free(session) == LIBSSH2_ERROR_EAGAIN && tries < 8 { tries += 1 }
      self.session = nil
    }
    if fd >= 0 {
      Reactor.shared.forget(fd: fd)
      Glibc.close(fd)
      fd = -1
    }
    proxy?.stop()
    proxy = nil
  }
}
