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
  private let clock = ContinuousClock()
  private var fd: Int32 = -1
  private var session: OpaquePointer?
  private var channel: OpaquePointer?

  init(client: SSHClient, target: SSHTarget) {
    self.client = client
    self.target = target
  }

  deinit { close(graceful: false) }

  func run(command: String, stdin: [UInt8]?) async throws -> SSHCommandResult {
    try await connect()
    let setupDeadline = clock.now + client.deadlines.handshakeAndAuth
    try await handshake(until: setupDeadline)
    let fingerprint = try checkHostKey()
    try await authenticate(until: setupDeadline)
    let commandDeadline = clock.now + client.deadlines.command
    var result = try await execute(command, stdin: stdin, until: commandDeadline)
    result.hostKeyFingerprint = fingerprint
    return result
  }

  // MARK: Connect

  private func connect() async throws {
    try Task.checkCancellation()
    // Resolution and connecting share the connect deadline.
    let deadline = clock.now + client.deadlines.connect
    let addresses = try await SocketAddressResolver.resolve(target.host, port: target.port, until: deadline, limit: client.deadlines.connect)
    var lastError = SSHError(.unreachable("no address"))
    for address in addresses {
      let socketFD = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
      guard socketFD >= 0 else { throw SSHError(.internalFailure("socket(): \(String(cString: strerror(errno)))")) }
      var one: Int32 = 1
      _ = setsockopt(socketFD, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
      let rc = address.storage.withUnsafeBytes { raw in
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

  private func connectError(_ code: Int32) -> SSHError {
    code == ECONNREFUSED ? SSHError(.connectionRefused) : SSHError(.unreachable(String(cString: strerror(code))))
  }

  // MARK: Handshake and host key

  private func handshake(until deadline: ContinuousClock.Instant) async throws {
    guard let newSession = cfleet_session_init() else { throw SSHError(.internalFailure("libssh2_session_init failed")) }
    session = newSession
    libssh2_session_set_blocking(newSession, 0)
    libssh2_keepalive_config(newSession, 0, UInt32(client.deadlines.keepalive.seconds.rounded()))
    // libssh2 1.10 prefers ECDSA; ask first for what known_hosts holds for this host, so an
    // ed25519-only entry is not mistaken for an unknown host.
    let known = client.knownHosts.knownHosts.keyTypes(host: target.host, port: target.port)
    let supported = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"]
    let preference = known.filter(supported.contains) + supported.filter { !known.contains($0) }
    _ = libssh2_session_method_pref(newSession, LIBSSH2_METHOD_HOSTKEY, preference.joined(separator: ","))
    let rc = try await drive(.handshake, until: deadline) { libssh2_session_handshake(newSession, self.fd) }
    guard rc == 0 else {
      switch rc {
      case LIBSSH2_ERROR_KEX_FAILURE:
        throw failure(.algorithmIncompatible("key exchange failed: \(lastError())"), rc)
      case LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_SOCKET_RECV:
        throw failure(.connectionLost(.handshake, "the peer closed the connection before SSH started (\(lastError()))"), rc)
      default:
        throw failure(.connectionLost(.handshake, lastError()), rc)
      }
    }
  }

  /// Checks the presented key; returns its `SHA256:` fingerprint.
  private func checkHostKey() throws -> String {
    guard let session else { throw SSHError(.internalFailure("no session")) }
    var length = 0
    var type: Int32 = 0
    guard let keyPointer = libssh2_session_hostkey(session, &length, &type), length > 0 else {
      throw SSHError(.internalFailure("the server sent no host key"))
    }
    let blob = Data(bytes: keyPointer, count: length)
    let keyBase64 = blob.base64EncodedString()
    let keyType = Self.keyTypeName(type)
    var fingerprint = "SHA256:?"
    if let hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256) {
      let digest = Data(bytes: hash, count: 32).base64EncodedString()
      fingerprint = "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }
    if client.checking == .off { return fingerprint }
    if let recorded = client.knownHosts.recordedKey(host: target.host, port: target.port) {
      guard recorded == keyBase64 else {
        throw SSHError(.hostKeyChanged(keyType: keyType, fingerprint: fingerprint, knownLines: [], knownHostsPath: client.knownHosts.path))
      }
      return fingerprint
    }
    switch client.knownHosts.knownHosts.verify(host: target.host, port: target.port, keyType: keyType, keyBase64: keyBase64) {
    case .trusted:
      return fingerprint
    case .changed(let lines, _):
      throw SSHError(.hostKeyChanged(keyType: keyType, fingerprint: fingerprint, knownLines: lines, knownHostsPath: client.knownHosts.path))
    case .revoked(let line):
      throw SSHError(.hostKeyRevoked(fingerprint: fingerprint, line: line))
    case .certificateAuthorityUnsupported:
      throw SSHError(.hostCertificateUnsupported)
    case .unknown:
      guard client.checking == .acceptNew else {
        throw SSHError(.hostKeyUnknown(keyType: keyType, fingerprint: fingerprint))
      }
      try client.knownHosts.record(host: target.host, port: target.port, keyType: keyType, keyBase64: keyBase64)
      return fingerprint
    }
  }

  static func keyTypeName(_ type: Int32) -> String {
    switch type {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa"
    case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss"
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256"
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384"
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521"
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519"
    default: return "unknown"
    }
  }

  // MARK: Authentication

  private func authenticate(until deadline: ContinuousClock.Instant) async throws {
    guard let session else { throw SSHError(.internalFailure("no session")) }
    let user = target.user
    let userLength = UInt32(user.utf8.count)
    var serverMethods: [String] = []
    while true {
      if let list = libssh2_userauth_list(session, user, userLength) {
        serverMethods = String(cString: list).split(separator: ",").map(String.init)
        break
      }
      if libssh2_userauth_authenticated(session) == 1 { return }  // "none" was enough
      let code = libssh2_session_last_errno(session)
      guard code == LIBSSH2_ERROR_EAGAIN else {
        throw failure(.connectionLost(.authentication, lastError()), code)
      }
      try await waitForSession(.authentication, until: deadline)
    }
    var tried: [String] = []
    var rsaPaths: [String] = []
    if serverMethods.contains("publickey") {
      for identity in client.credentials.identities {
        if IdentityKind.isRSA(identity.privateKey) {
          rsaPaths.append(identity.path)
          continue
        }
        tried.append("publickey \(identity.path)")
        let key = identity.privateKey
        let rc: Int32
        if let signer = identity.signer {
          var abstract: UnsafeMutableRawPointer? = signer.key
          rc = try await drive(.authentication, until: deadline) {
            signer.publicBlob.withUnsafeBufferPointer { blob in
              cfleet_userauth_ed25519(session, user, userLength, blob.baseAddress, blob.count, &abstract)
            }
          }
        } else {
          rc = try await drive(.authentication, until: deadline) {
            key.withUnsafeBufferPointer { bytes in
              bytes.withMemoryRebound(to: CChar.self) { chars in
                libssh2_userauth_publickey_frommemory(
                  session, user, Int(userLength), nil, 0, chars.baseAddress, chars.count, identity.passphrase)
              }
            }
          }
        }
        if rc == 0 { return }
        if rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED || rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED { continue }
        if [LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_TIMEOUT].contains(rc) {
          throw failure(.connectionLost(.authentication, lastError()), rc)
        }
        // Anything else is libssh2 failing to load or use the key itself (wrong passphrase,
        // unsupported format): say so instead of blaming the server.
        throw failure(.identityUnreadable(path: identity.path, reason: "\(lastError()) — wrong passphrase or unsupported key format?"), rc)
      }
      if let socketPath = client.credentials.agentSocket, try await authenticateWithAgent(session, socketPath: socketPath, until: deadline, tried: &tried) {
        return
      }
    }
    if tried.isEmpty, let rsa = rsaPaths.first {
      throw SSHError(.rsaKeyUnsupported(path: rsa))
    }
    throw SSHError(.authenticationFailed(tried: tried + rsaPaths.map { "\($0) (RSA, skipped)" }, serverAccepts: serverMethods))
  }

  /// ssh-agent: its socket is local and blocking in libssh2; the network part is not.
  private func authenticateWithAgent(_ session: OpaquePointer, socketPath: String, until deadline: ContinuousClock.Instant, tried: inout [String]) async throws -> Bool {
    guard let agent = libssh2_agent_init(session) else { return false }
    defer {
      libssh2_agent_disconnect(agent)
      libssh2_agent_free(agent)
    }
    libssh2_agent_set_identity_path(agent, socketPath)
    guard libssh2_agent_connect(agent) == 0, libssh2_agent_list_identities(agent) == 0 else { return false }
    var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
    var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
    while libssh2_agent_get_identity(agent, &identity, previous) == 0, let current = identity {
      let comment = current.pointee.comment.map { String(cString: $0) } ?? "agent key"
      tried.append("agent \(comment)")
      let rc = try await drive(.authentication, until: deadline) { libssh2_agent_userauth(agent, self.target.user, current) }
      if rc == 0 { return true }
      previous = current
    }
    return false
  }

  // MARK: Command

  private func execute(_ command: String, stdin: [UInt8]?, until deadline: ContinuousClock.Instant) async throws -> SSHCommandResult {
    guard let session else { throw SSHError(.internalFailure("no session")) }
    while channel == nil {
      if let opened = cfleet_channel_open_session(session) {
        channel = opened
        break
      }
      let code = libssh2_session_last_errno(session)
      guard code == LIBSSH2_ERROR_EAGAIN else {
        throw failure(.channelRefused(lastError()), code)
      }
      try await waitForSession(.command, until: deadline)
    }
    guard let channel else { throw SSHError(.internalFailure("no channel")) }
    let length = UInt32(command.utf8.count)
    let execRC = try await drive(.command, until: deadline) { cfleet_channel_exec(channel, command, length) }
    guard execRC == 0 else { throw failure(.channelRefused("exec: \(lastError())"), execRC) }
    if let stdin {
      var offset = 0
      while offset < stdin.count {
        let written = try await drive(.command, until: deadline) {
          stdin.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
              cfleet_channel_write(channel, chars.baseAddress! + offset, chars.count - offset)
            }
          }
        }
        guard written >= 0 else { throw failure(.connectionLost(.command, "writing stdin: \(lastError())"), Int32(written)) }
        offset += written
      }
    }
    _ = try await drive(.command, until: deadline) { libssh2_channel_send_eof(channel) }
    var result = SSHCommandResult(stdout: [], stderr: [], exitStatus: nil, exitSignal: nil, stdoutTruncated: false, stderrTruncated: false, hostKeyFingerprint: "")
    try await readOutput(channel, into: &result, until: deadline)
    _ = try await drive(.command, until: deadline) { libssh2_channel_close(channel) }
    _ = try await drive(.command, until: deadline) { libssh2_channel_wait_closed(channel) }
    var signalName: UnsafeMutablePointer<CChar>?
    var signalLength = 0
    libssh2_channel_get_exit_signal(channel, &signalName, &signalLength, nil, nil, nil, nil)
    if let signalName {
      result.exitSignal = String(cString: signalName)
      libssh2_free(session, signalName)
    } else {
      result.exitStatus = libssh2_channel_get_exit_status(channel)
    }
    return result
  }

  /// Drains stdout and stderr together, so a full stderr window never stalls stdout.
  private func readOutput(_ channel: OpaquePointer, into result: inout SSHCommandResult, until deadline: ContinuousClock.Instant) async throws {
    let bufferSize = 256 << 10
    let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bufferSize)
    defer { buffer.deallocate() }
    var lastTraffic = clock.now
    var bytesSinceYield = 0
    while true {
      // A host that never pauses its output must still meet the deadline and Ctrl-C,
      // and must not keep one of the pool's two threads to itself.
      if clock.now >= deadline { throw SSHError(.timedOut(.command, seconds: client.deadlines.command.seconds)) }
      try Task.checkCancellation()
      if bytesSinceYield >= 1 << 20 {
        bytesSinceYield = 0
        await Task.yield()
      }
      var progressed = false
      var blocked = 0
      for stream in [Int32(0), CFLEET_STDERR] {
        while true {
          let n = cfleet_channel_read(channel, stream, buffer, bufferSize)
          if n > 0 {
            progressed = true
            bytesSinceYield += n
            let bytes = UnsafeRawBufferPointer(start: buffer, count: n)
            if stream == 0 {
              append(bytes, to: &result.stdout, truncated: &result.stdoutTruncated)
            } else {
              append(bytes, to: &result.stderr, truncated: &result.stderrTruncated)
            }
            continue
          }
          if n == Int(LIBSSH2_ERROR_EAGAIN) { blocked += 1 }
          else if n < 0 { throw failure(.connectionLost(.command, "reading output: \(lastError())"), Int32(n)) }
          break
        }
      }
      if libssh2_channel_eof(channel) == 1 && !progressed { return }
      if progressed {
        lastTraffic = clock.now
        continue
      }
      if blocked == 0 { continue }  // both streams returned 0 without EOF: look again
      let keepaliveAt = lastTraffic + client.deadlines.keepalive
      let outcome = try await Reactor.shared.wait(fd: fd, for: directions(), until: min(deadline, keepaliveAt))
      if case .timedOut = outcome {
        if clock.now >= deadline { throw SSHError(.timedOut(.command, seconds: client.deadlines.command.seconds)) }
        var next: Int32 = 0
        if let session { _ = libssh2_keepalive_send(session, &next) }
        lastTraffic = clock.now
      }
    }
  }

  private func append(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8], truncated: inout Bool) {
    let room = client.outputCap - output.count
    if room >= bytes.count {
      output.append(contentsOf: bytes)
    } else {
      if room > 0 { output.append(contentsOf: bytes.prefix(room)) }
      truncated = true
    }
  }

  // MARK: Driving libssh2

  /// Calls `body` until it stops returning EAGAIN, waiting on the socket in the
  /// directions libssh2 asks for; gives up at `deadline`.
  private func drive<R: BinaryInteger>(_ phase: SSHPhase, until deadline: ContinuousClock.Instant, _ body: () -> R) async throws -> R {
    while true {
      let rc = body()
      if rc != R(LIBSSH2_ERROR_EAGAIN) { return rc }
      try await waitForSession(phase, until: deadline)
    }
  }

  private func waitForSession(_ phase: SSHPhase, until deadline: ContinuousClock.Instant) async throws {
    let outcome = try await Reactor.shared.wait(fd: fd, for: directions(), until: deadline)
    if case .timedOut = outcome {
      let limit = phase == .command ? client.deadlines.command : client.deadlines.handshakeAndAuth
      throw SSHError(.timedOut(phase, seconds: limit.seconds))
    }
  }

  private func directions() -> IODirections {
    guard let session else { return .readable }
    let flags = libssh2_session_block_directions(session)
    var directions: IODirections = []
    if flags & CFLEET_INBOUND != 0 { directions.insert(.readable) }
    if flags & CFLEET_OUTBOUND != 0 { directions.insert(.writable) }
    return directions.isEmpty ? .readable : directions
  }

  private func lastError() -> String {
    guard let session else { return "no session" }
    var message: UnsafeMutablePointer<CChar>?
    var length: Int32 = 0
    libssh2_session_last_error(session, &message, &length, 0)
    return message.map { String(cString: $0) } ?? "unknown error"
  }

  private func failure(_ kind: SSHError.Kind, _ code: some BinaryInteger) -> SSHError {
    SSHError(kind, libssh2Code: Int32(truncatingIfNeeded: code), libssh2Message: lastError())
  }

  // MARK: Teardown

  /// Frees the channel and session and closes the socket. A graceful close says goodbye
  /// first; otherwise the socket is shut down so libssh2 fails fast instead of waiting.
  func close(graceful: Bool) {
    if !graceful && fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
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
  }
}

extension Duration {
  var seconds: Double {
    Double(components.seconds) + Double(components.attoseconds) / 1e18
  }
}
