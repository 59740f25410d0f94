import CFleetShims
import CLibSSH2
import FleetPortsCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Running the command: exec, stdin, draining stdout and stderr, exit status and signal.
extension SSHConnection {
  func execute(_ command: String, stdin: [UInt8]?, until deadline: ContinuousClock.Instant) async throws(SSHError) -> SSHCommandResult {
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
    var execRC = cfleet_channel_exec(channel, command, length)
    var eofSent = false
    if stdin == nil, execRC == LIBSSH2_ERROR_EAGAIN, libssh2_session_block_directions(session) == CFLEET_INBOUND {
      // No stdin: EOF goes out right behind the exec request (EOF needs no window; sshd
      // handles packets in order), so nothing of ours follows the command's start.
      // Only once the request is sent whole: libssh2 refuses a new packet while one is half-sent.
      try await sendEOF(on: channel, until: deadline)
      eofSent = true
    }
    if execRC == LIBSSH2_ERROR_EAGAIN {
      execRC = try await drive(.command, until: deadline) { cfleet_channel_exec(channel, command, length) }
    }
    guard execRC == 0 else { throw failure(.channelRefused("exec: \(lastError())"), execRC) }
    if let stdin {
      // sshd opens a session channel with a zero window and widens it when the command
      // starts, so stdin cannot be pipelined with the request.
      var offset = 0
      while offset < stdin.count {
        let written = try await drive(.command, until: deadline) {
          stdin.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
              // swift-format-ignore: NeverForceUnwrap
              // The loop runs only while offset < stdin.count: the buffer is not empty.
              cfleet_channel_write(channel, chars.baseAddress! + offset, chars.count - offset)
            }
          }
        }
        guard written >= 0 else { throw failure(.connectionLost(.command, "writing stdin: \(lastError())"), Int32(written)) }
        offset += written
      }
    }
    if !eofSent { try await sendEOF(on: channel, until: deadline) }
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

  /// Sends the channel's EOF. libssh2 1.10 builds this packet on its stack, and a packet the
  /// socket took only part of can be finished only from the same address, which a retry after
  /// an await (on another thread) does not have: libssh2 then answers LIBSSH2_ERROR_BAD_USE
  /// and the rest of the packet never goes, so the command waits for its EOF until the
  /// deadline (seen as a `wc -c` fed 3 MB through a jump host timing out in the command
  /// phase). So the EOF goes only once the socket is writable, and a part left over is
  /// finished from one C frame (`cfleet_channel_send_eof_whole`).
  /// - Throws: `.timedOut(.command)` at `deadline`; `.connectionLost` when the EOF could not
  ///   be sent.
  func sendEOF(on channel: OpaquePointer, until deadline: ContinuousClock.Instant) async throws(SSHError) {
    guard let session else { throw SSHError(.internalFailure("no session")) }
    while true {
      if !Self.isWritable(fd), case .timedOut = try await Reactor.shared.wait(fd: fd, for: .writable, until: deadline) {
        throw SSHError(.timedOut(.command, seconds: client.deadlines.command.seconds))
      }
      let rc = cfleet_channel_send_eof_whole(session, channel, fd, Self.packetRestLimitMilliseconds)
      if rc == 0 { return }
      // A key exchange wants to read first; nothing of the EOF is pending.
      if rc == LIBSSH2_ERROR_EAGAIN {
        try await waitForSession(.command, until: deadline)
        continue
      }
      throw failure(.connectionLost(.command, "sending EOF: \(lastError())"), rc)
    }
  }

  /// How long a socket that took part of a packet may take the rest (milliseconds; the
  /// thread waits meanwhile). It had room just before, so this is a socket that stopped.
  static let packetRestLimitMilliseconds: Int32 = 2000

  /// Whether `fd` can take bytes now (poll, no wait).
  static func isWritable(_ fd: Int32) -> Bool {
    var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
    return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLOUT) != 0
  }

  /// Bytes asked of libssh2 per channel read.
  static let readBufferSize = 32 << 10

  /// Drains stdout and stderr together, so a full stderr window never stalls stdout.
  func readOutput(_ channel: OpaquePointer, into result: inout SSHCommandResult, until deadline: ContinuousClock.Instant) async throws(SSHError) {
    var lastTraffic = clock.now
    var bytesSinceYield = 0
    while true {
      // A host that never pauses its output must still meet the deadline and Ctrl-C,
      // and must not keep one of the pool's two threads to itself.
      if clock.now >= deadline { throw SSHError(.timedOut(.command, seconds: client.deadlines.command.seconds)) }
      if Task.isCancelled { throw SSHError(.cancelled) }
      if bytesSinceYield >= 1 << 20 {
        bytesSinceYield = 0
        await Task.yield()
      }
      var progressed = false
      var blocked = 0
      // A read buffer only while reading, never across the wait below: with 1,000 sessions
      // waiting on their probes, one each would be 32 MB held for nothing.
      do {
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: Self.readBufferSize)
        defer { buffer.deallocate() }
        for stream in [Int32(0), CFLEET_STDERR] {
          while true {
            let n = cfleet_channel_read(channel, stream, buffer, Self.readBufferSize)
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
      }
      if libssh2_channel_eof(channel) == 1 && !progressed { return }
      if progressed {
        lastTraffic = clock.now
        continue
      }
      if blocked == 0 { continue }  // both streams returned 0 without EOF: look again
      // The stderr read drains the socket too: stdout data that arrived after the stdout read
      // said EAGAIN is then queued in libssh2 with nothing left on the socket to end the wait
      // below (until the keepalive). Read it now, unless a packet waits for the socket to
      // take it. (An EOF queued that way is seen by the check above.)
      if let session, libssh2_poll_channel_read(channel, 0) == 1, libssh2_session_block_directions(session) & CFLEET_OUTBOUND == 0 {
        continue
      }
      let keepaliveAt = lastTraffic + client.deadlines.keepalive
      let outcome = try await Reactor.shared.wait(fd: fd, for: directions(), until: min(deadline, keepaliveAt))
      if case .timedOut = outcome {
        if clock.now >= deadline { throw SSHError(.timedOut(.command, seconds: client.deadlines.command.seconds)) }
        // libssh2 builds the keepalive on its stack and counts it sent even when the socket
        // took only part (see `sendEOF`): it goes only while the socket has room for all of it.
        var next: Int32 = 0
        if let session, Self.isWritable(fd) { _ = libssh2_keepalive_send(session, &next) }
        lastTraffic = clock.now
      }
    }
  }

  func append(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8], truncated: inout Bool) {
    let room = client.outputCap - output.count
    if room >= bytes.count {
      output.append(contentsOf: bytes)
    } else {
      if room > 0 { output.append(contentsOf: bytes.prefix(room)) }
      truncated = true
    }
  }
}
