import CFleetShims
import CLibSSH2
import FleetPortsCore

#if canImport(Glibc)
  import Glibc
#endif

/// Carries a jump session's `direct-tcpip` channels to and from local sockets: each target's
/// session gets one end of a socketpair; the pump moves bytes between the other end and the
/// channel, both ways, with bounded buffers, until both sides have ended.
///
/// One task owns the pump and with it the libssh2 session. It waits on a private epoll that
/// holds the session's socket, every local end and the jump connection's eventfd; that epoll
/// descriptor itself waits in the shared reactor. Interest is level-triggered and kept to what
/// can make progress (a local end is read only while its buffer has room, written only while
/// bytes wait), so a wake always has work.
///
/// libssh2 rules that shape the loop (libssh2 1.10):
/// - A packet half-sent on a non-blocking socket stays in the session, and the next call that
///   sends anything first finishes it and then reports success without sending its own
///   packet. So after any call that returns EAGAIN while the session blocks outbound, that
///   same call is repeated, and nothing else is called, until it stops blocking outbound.
///   Except the channel EOF: its packet lives on libssh2's stack, so a repeat from another
///   pass would pass another address (LIBSSH2_ERROR_BAD_USE); it is finished within the call
///   (`cfleet_channel_send_eof_whole`).
/// - Only one channel open runs at a time per session (its state lives in the session), so
///   requests open one after another, at most `channelsPerJump` channels at once.
/// - Reading a channel first reads every packet the socket holds into the session's queue, so
///   one read pulls data for all channels; the others are read only when
///   `libssh2_poll_channel_read` sees data queued for them (no system call).
final class ChannelPump {
  /// Bytes buffered per direction per channel.
  static let bufferCap = 64 << 10
  /// The window each channel offers the jump host.
  static let channelWindow: UInt32 = 256 << 10
  /// How soon a pump whose calls wait on the session looks again without a wake-up.
  static let recheck = Duration.milliseconds(100)

  /// One open channel and its local socket.
  final class Slot {
    let channel: OpaquePointer
    /// The pump's end of the socketpair.
    let local: Int32
    var toLocal: [UInt8] = []
    var toRemote: [UInt8] = []
    /// The target's side ended its writing (read 0), or broke.
    var localEOF = false
    var localBroken = false
    /// The jump host said EOF (read 0 from the channel).
    var remoteEOF = false
    var eofSent = false
    var localShut = false
    var closeStarted = false
    var closed = false
    /// The epoll events asked for last; 0: the local end is not in the epoll at all.
    var interest: UInt32 = 0

    init(channel: OpaquePointer, local: Int32) {
      self.channel = channel
      self.local = local
    }

    var finished: Bool {
      localBroken || (eofSent && localShut) || (remoteEOF && localEOF && toLocal.isEmpty)
    }
  }

  /// The channel being opened, with the target waiting for it.
  struct Opening {
    let request: JumpConnection.Request
    let message: [UInt8]
    let deadline: ContinuousClock.Instant
    /// The target gave up (timeout or cancellation): the channel is closed when it opens.
    var abandoned = false
  }

  /// A libssh2 call that left a packet half-sent, to be repeated before anything else.
  enum Stuck: Equatable {
    case open
    /// A read of this many bytes (repeated with the same length: libssh2 widens the window
    /// from it, and that packet is the one half-sent).
    case read(Int32, length: Int)
    case write(Int32)
    case eof(Int32)
    case close(Int32)
  }

  let jump: JumpConnection
  let session: OpaquePointer
  let socket: Int32
  let limits: SSHDeadlines
  let clock = ContinuousClock()
  var epoll: Int32 = -1
  var slots: [Int32: Slot] = [:]
  var opening: Opening?
  var stuck: Stuck?
  var sessionInterest: UInt32 = 0
  /// Set when the session broke: the error every target behind it gets.
  var broken: SSHError?
  /// The last pass was repeated only because a channel had window again.
  var retriedForWindow = false
  var readBuffer = [UInt8](repeating: 0, count: ChannelPump.bufferCap)

  init(jump: JumpConnection, session: OpaquePointer, socket: Int32, limits: SSHDeadlines) {
    self.jump = jump
    self.session = session
    self.socket = socket
    self.limits = limits
  }

  /// Pumps until the task is cancelled or the session breaks.
  /// - Returns: nil when cancelled; the error that broke the session otherwise.
  func run() async -> SSHError? {
    epoll = cfleet_epoll_create()
    guard epoll >= 0 else { return SSHError(.ioUnavailable(call: "epoll_create1", errno: errno)) }
    _ = cfleet_epoll_ctl(epoll, CFLEET_EPOLL_CTL_ADD, jump.wake, CFLEET_EPOLLIN, UInt64(UInt32(bitPattern: jump.wake)))
    _ = cfleet_epoll_ctl(epoll, CFLEET_EPOLL_CTL_ADD, socket, 0, UInt64(UInt32(bitPattern: socket)))
    var readyLocals: Set<Int32> = []
    var sessionReady = true
    var passes = 0
    while true {
      if Task.isCancelled { return nil }
      let progressed = service(sessionReady: sessionReady, readyLocals: readyLocals)
      if let broken { return broken }
      readyLocals.removeAll(keepingCapacity: true)
      sessionReady = false
      passes += 1
      if progressed {
        // Busy channels must not keep one of the pool's two threads from everything else.
        if passes % 64 == 0 { await Task.yield() }
        sessionReady = true
        continue
      }
      // Every libssh2 call that reads the socket queues what it brings for every channel, so
      // a call made late in the pass (another channel's read, write or close, the open) may
      // have queued data or EOF for a channel served earlier in it. The socket then has
      // nothing left to wake the pump: such a channel is read before the pump sleeps. (Not
      // while a call is stuck: the socket must take its packet first.)
      if stuck == nil && slots.values.contains(where: hasQueuedInput) { continue }
      updateInterest()
      var deadline = opening.map { $0.abandoned ? clock.now + .seconds(3600) : $0.deadline } ?? clock.now + .seconds(3600)
      // A call waiting on the session (a channel open, a write waiting for window, a close
      // waiting for the peer's) may find its answer already queued by another channel's read,
      // with nothing left on the socket to wake the pump: look again within `recheck`.
      if opening != nil || slots.values.contains(where: { $0.closeStarted || !$0.toRemote.isEmpty }) {
        deadline = min(deadline, clock.now + Self.recheck)
      }
      let outcome: WaitOutcome
      do {
        outcome = try await Reactor.shared.wait(fd: epoll, for: .readable, until: deadline)
      } catch {
        if error.kind == .cancelled { return nil }
        return error
      }
      jump.notePumpWake()
      // The deadline counts when it has passed, however the wait ended: a pump that events
      // keep waking must still look again at the calls waiting on the session and still
      // expire an open that hangs.
      if case .timedOut = outcome {
        expireOpening()
        sessionReady = true
        continue
      }
      if clock.now >= deadline {
        expireOpening()
        sessionReady = true
      }
      collectEvents(sessionReady: &sessionReady, readyLocals: &readyLocals)
    }
  }

  /// Whether libssh2 has already queued data or the EOF for `slot`'s channel and the slot
  /// would read it in a pass (`stepSlot`'s read rule): then no socket event will come for it.
  private func hasQueuedInput(_ slot: Slot) -> Bool {
    guard !slot.closeStarted && !slot.finished && !slot.remoteEOF && slot.toLocal.count < Self.bufferCap else { return false }
    return libssh2_poll_channel_read(slot.channel, 0) == 1 || libssh2_channel_eof(slot.channel) == 1
  }

  /// Reads the private epoll's events without waiting.
  private func collectEvents(sessionReady: inout Bool, readyLocals: inout Set<Int32>) {
    var tokens = [UInt64](repeating: 0, count: 256)
    var masks = [UInt32](repeating: 0, count: 256)
    let count = tokens.withUnsafeMutableBufferPointer { tokenBuffer in
      masks.withUnsafeMutableBufferPointer { maskBuffer in
        cfleet_epoll_wait(epoll, tokenBuffer.baseAddress, maskBuffer.baseAddress, 256, 0)
      }
    }
    guard count > 0 else { return }
    for index in 0..<Int(count) {
      let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: tokens[index]))
      if fd == jump.wake {
        _ = cfleet_eventfd_drain(jump.wake)
      } else if fd == socket {
        sessionReady = true
      } else {
        readyLocals.insert(fd)
      }
    }
    // More than 256 ready: the rest are seen on the next pass (level-triggered).
    if count == 256 { sessionReady = true }
  }

  // MARK: One pass

  /// Does everything that can be done without waiting.
  /// - Returns: whether anything moved (then the pass is repeated before waiting).
  func service(sessionReady: Bool, readyLocals: Set<Int32>) -> Bool {
    if let pending = stuck {
      guard retry(pending) else { return false }
    }
    var progressed = false
    if stepOpening(sessionReady: sessionReady) { progressed = true }
    if stuck != nil || broken != nil { return progressed }
    var pulled = !sessionReady
    for slot in Array(slots.values) {
      if stepSlot(slot, pull: &pulled, localReady: readyLocals.contains(slot.local)) { progressed = true }
      if stuck != nil || broken != nil { return true }
      if slot.closed {
        slots[slot.local] = nil
        progressed = true
      }
    }
    // Window the jump host granted while this pass read for other channels: one more pass
    // writes now (once: a write that still cannot go waits for the socket).
    if !progressed && !retriedForWindow {
      retriedForWindow = slots.values.contains {
        !$0.toRemote.isEmpty && !$0.localBroken && libssh2_channel_window_write_ex($0.channel, nil) > 0
      }
      return retriedForWindow
    }
    retriedForWindow = false
    return progressed
  }

  /// Repeats the call that left a packet half-sent.
  /// - Returns: true when it is done and other calls may follow.
  private func retry(_ pending: Stuck) -> Bool {
    stuck = nil
    switch pending {
    case .open: _ = stepOpening(sessionReady: true)
    case .read(let fd, _), .write(let fd), .eof(let fd), .close(let fd):
      if let slot = slots[fd] { repeatCall(pending, on: slot) }
    }
    return stuck == nil && broken == nil
  }

  /// After a libssh2 call returned `rc`: notes a half-sent packet and a broken session.
  /// - Returns: true when the call may be considered done (not EAGAIN).
  private func settle(_ rc: Int, as call: Stuck, what: String) -> Bool {
    if rc == Int(LIBSSH2_ERROR_EAGAIN) {
      if libssh2_session_block_directions(session) & CFLEET_OUTBOUND != 0 { stuck = call }
      return false
    }
    if rc < 0, Self.isSessionFatal(Int32(rc)) {
      broken = SSHError(.connectionLost(.command, "\(what): \(lastError())"), libssh2Code: Int32(rc), libssh2Message: lastError())
    }
    return true
  }

  static func isSessionFatal(_ rc: Int32) -> Bool {
    switch rc {
    case LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_DECRYPT,
      LIBSSH2_ERROR_TIMEOUT, LIBSSH2_ERROR_KEX_FAILURE, LIBSSH2_ERROR_PROTO, LIBSSH2_ERROR_ALLOC:
      return true
    default:
      return false
    }
  }

  func lastError() -> String {
    var message: UnsafeMutablePointer<CChar>?
    var length: Int32 = 0
    libssh2_session_last_error(session, &message, &length, 0)
    return message.map { String(cString: $0) } ?? "unknown error"
  }

  // MARK: Opening channels

  /// Starts the next request when a channel is free, and drives the open in progress.
  private func stepOpening(sessionReady: Bool) -> Bool {
    var progressed = false
    if opening == nil {
      guard slots.count < jump.pool.channelsPerJump, let request = jump.takeRequest() else { return false }
      if jump.wasCancelled(request.id) {
        request.continuation.resume(returning: .failure(SSHError(.cancelled)))
        return true
      }
      opening = Opening(
        request: request, message: Self.directMessage(host: request.host, port: request.port), deadline: clock.now + limits.connect)
      progressed = true
    } else if !sessionReady {
      return false
    }
    guard var current = opening else { return progressed }
    if !current.abandoned && jump.wasCancelled(current.request.id) {
      current.abandoned = true
      opening = current
      current.request.continuation.resume(returning: .failure(SSHError(.cancelled)))
    }
    let channel = current.message.withUnsafeBufferPointer { bytes in
      bytes.withMemoryRebound(to: CChar.self) { chars in
        cfleet_channel_direct_tcpip(session, chars.baseAddress, UInt32(chars.count), Self.channelWindow)
      }
    }
    guard let channel else {
      let code = libssh2_session_last_errno(session)
      if code == LIBSSH2_ERROR_EAGAIN {
        if libssh2_session_block_directions(session) & CFLEET_OUTBOUND != 0 { stuck = .open }
        return progressed
      }
      opening = nil
      let why = lastError()
      if Self.isSessionFatal(code) {
        broken = SSHError(.connectionLost(.connect, "opening a channel: \(why)"), libssh2Code: code, libssh2Message: why)
      }
      if !current.abandoned {
        let target = HostPortText.format(current.request.host, current.request.port)
        current.request.continuation.resume(
          returning: .failure(SSHError(.unreachable("jump host \(jump.label) could not open a channel to \(target): \(why)"))))
      }
      return true
    }
    opening = nil
    libssh2_channel_set_blocking(channel, 0)
    var pair: [Int32] = [-1, -1]
    let made = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair)
    if current.abandoned || made != 0 {
      let code = errno
      if made == 0 {
        Glibc.close(pair[0])
        Glibc.close(pair[1])
      } else {
        current.request.continuation.resume(returning: .failure(SSHError(.ioUnavailable(call: "socketpair", errno: code))))
      }
      // Nobody wants this channel: it is closed like a finished one, under a key of its own
      // (negative: no socket) until the jump host has confirmed the close.
      nextOrphan -= 1
      let slot = Slot(channel: channel, local: nextOrphan)
      slot.localBroken = true
      slots[slot.local] = slot
      return true
    }
    // The local end joins the epoll when it first wants something (`updateInterest`).
    let slot = Slot(channel: channel, local: pair[0])
    slots[pair[0]] = slot
    current.request.continuation.resume(returning: .success(pair[1]))
    return true
  }

  /// The key of the last channel opened for a target that had already gone (they count
  /// down from -2 and have no socket).
  var nextOrphan: Int32 = -1

  /// The open in progress passed its deadline: its target gets a timeout, and the channel,
  /// should it still open, is closed at once (libssh2 cannot abandon an open).
  private func expireOpening() {
    guard var current = opening, !current.abandoned, clock.now >= current.deadline else { return }
    current.abandoned = true
    opening = current
    current.request.continuation.resume(returning: .failure(SSHError(.timedOut(.connect, seconds: limits.connect.seconds))))
    // The opens queued behind this one would wait as long as it hangs: a fresh session takes them.
    jump.pool.retire(jump)
  }

  /// The type-specific data of a `direct-tcpip` open: host, port, originator address and port.
  static func directMessage(host: String, port: Int) -> [UInt8] {
    var message: [UInt8] = []
    func string(_ text: String) {
      let bytes = Array(text.utf8)
      uint32(UInt32(bytes.count))
      message += bytes
    }
    func uint32(_ value: UInt32) {
      message += [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
    string(host)
    uint32(UInt32(port))
    string("127.0.0.1")
    uint32(0)
    return message
  }

  // MARK: Moving bytes

  /// Repeats the call that left a packet half-sent, exactly as it was made.
  private func repeatCall(_ call: Stuck, on slot: Slot) {
    switch call {
    case .open: return
    case .read(_, let length): _ = readChannel(slot, length: length)
    case .write: _ = writeChannel(slot)
    case .eof: _ = sendEOF(slot)
    case .close:
      var pulled = true
      _ = finish(slot, pull: &pulled)
    }
  }

  /// One read of at most `length` bytes from the channel into `toLocal`.
  /// - Returns: whether it moved anything or ended the channel's input.
  private func readChannel(_ slot: Slot, length: Int) -> Bool {
    if readBuffer.count < length { readBuffer = [UInt8](repeating: 0, count: length) }
    let n = readBuffer.withUnsafeMutableBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { cfleet_channel_read(slot.channel, 0, $0.baseAddress, length) }
    }
    if n > 0 {
      slot.toLocal.append(contentsOf: readBuffer[0..<n])
      return true
    }
    if n == 0 {
      slot.remoteEOF = true
      return true
    }
    if !settle(n, as: .read(slot.local, length: length), what: "reading a channel") || stuck != nil || broken != nil { return false }
    // Another error on this channel alone: it ends.
    slot.remoteEOF = true
    slot.localBroken = true
    return true
  }

  /// Writes the head of `toRemote` to the channel.
  private func writeChannel(_ slot: Slot) -> Bool {
    let n = slot.toRemote.withUnsafeBufferPointer { bytes in
      bytes.withMemoryRebound(to: CChar.self) { cfleet_channel_write(slot.channel, $0.baseAddress, $0.count) }
    }
    if n > 0 {
      slot.toRemote.removeFirst(min(n, slot.toRemote.count))
      return true
    }
    if settle(n, as: .write(slot.local), what: "writing a channel"), n < 0 {
      slot.localBroken = true
      return true
    }
    return false
  }

  /// Sends the channel's EOF. libssh2 builds this packet on its stack, so a part the socket
  /// did not take cannot be finished by repeating the call later (another stack address:
  /// LIBSSH2_ERROR_BAD_USE, and the session could never send again); it is finished at once
  /// from one C frame, the thread waiting at most `packetRestLimitMilliseconds`.
  private func sendEOF(_ slot: Slot) -> Bool {
    let rc = cfleet_channel_send_eof_whole(session, slot.channel, socket, SSHConnection.packetRestLimitMilliseconds)
    guard settle(Int(rc), as: .eof(slot.local), what: "sending EOF") else { return false }
    slot.eofSent = true
    return true
  }

  /// One channel's work for this pass.
  private func stepSlot(_ slot: Slot, pull: inout Bool, localReady: Bool) -> Bool {
    if slot.closeStarted || slot.finished { return finish(slot, pull: &pull) }
    var progressed = false
    let fd = slot.local
    // Channel → buffer: the first read of a pass pulls the socket for every channel; after
    // it, only channels with data (or EOF) queued are read.
    while !slot.remoteEOF && slot.toLocal.count < Self.bufferCap
      && (!pull || libssh2_poll_channel_read(slot.channel, 0) == 1 || libssh2_channel_eof(slot.channel) == 1)
    {
      pull = true
      guard readChannel(slot, length: Self.bufferCap - slot.toLocal.count) else { break }
      progressed = true
    }
    if stuck != nil || broken != nil { return progressed }
    // Buffer → local socket.
    if !slot.toLocal.isEmpty && !slot.localBroken {
      let sent = slot.toLocal.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if sent > 0 {
        slot.toLocal.removeFirst(sent)
        progressed = true
      } else if sent < 0 && errno != EAGAIN && errno != EINTR {
        slot.localBroken = true
        progressed = true
      }
    }
    // Local socket → buffer.
    if localReady && !slot.localEOF && slot.toRemote.count < Self.bufferCap {
      let room = Self.bufferCap - slot.toRemote.count
      let n = readBuffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, room, 0) }
      if n > 0 {
        slot.toRemote.append(contentsOf: readBuffer[0..<n])
        progressed = true
      } else if n == 0 {
        slot.localEOF = true
        progressed = true
      } else if errno != EAGAIN && errno != EINTR {
        slot.localEOF = true
        slot.localBroken = true
        progressed = true
      }
    }
    // Buffer → channel.
    if !slot.toRemote.isEmpty && !slot.localBroken {
      if writeChannel(slot) { progressed = true }
      if stuck != nil || broken != nil { return progressed }
    }
    // EOF both ways.
    if slot.localEOF && slot.toRemote.isEmpty && !slot.eofSent && !slot.localBroken {
      if sendEOF(slot) { progressed = true }
      if stuck != nil || broken != nil { return progressed }
    }
    if slot.remoteEOF && slot.toLocal.isEmpty && !slot.localShut && !slot.localBroken {
      shutdown(fd, Int32(SHUT_WR))
      slot.localShut = true
      progressed = true
    }
    if slot.finished { _ = finish(slot, pull: &pull) }
    return progressed
  }

  /// Closes and frees a finished channel, then closes its local end.
  private func finish(_ slot: Slot, pull: inout Bool) -> Bool {
    if slot.closed { return false }
    slot.closeStarted = true
    // libssh2_channel_close sends the EOF first when it has not gone, with the same stack
    // packet: it goes here instead (`sendEOF`).
    if !slot.eofSent && !sendEOF(slot) {
      if broken == nil { pull = true }
      return false
    }
    let rc = libssh2_channel_close(slot.channel)
    if !settle(Int(rc), as: .close(slot.local), what: "closing a channel") && broken == nil {
      pull = true
      return false
    }
    _ = libssh2_channel_free(slot.channel)
    if slot.local >= 0 {
      if slot.interest != 0 { _ = cfleet_epoll_ctl(epoll, CFLEET_EPOLL_CTL_DEL, slot.local, 0, 0) }
      Glibc.close(slot.local)
    }
    slot.closed = true
    return true
  }

  /// What each socket waits for now (level-triggered; only what can make progress).
  private func updateInterest() {
    var sessionWants: UInt32 = 0
    if opening != nil { sessionWants |= CFLEET_EPOLLIN }
    for slot in slots.values {
      if slot.local < 0 {
        sessionWants |= CFLEET_EPOLLIN
        continue
      }
      var wants: UInt32 = 0
      if !slot.localEOF && slot.toRemote.count < Self.bufferCap && !slot.closeStarted { wants |= CFLEET_EPOLLIN }
      if !slot.toLocal.isEmpty && !slot.localBroken { wants |= CFLEET_EPOLLOUT }
      // A local end that wants nothing leaves the epoll instead of staying with an empty
      // mask: epoll reports a hang-up whatever the mask says, and once the target has closed
      // its end (its session is over, the channel waits for the far end's EOF) every wait
      // would end at once, a busy loop that also kept `recheck` and the open's deadline from
      // ever firing, for as long as the far end stays open (for ever, for some).
      if wants != slot.interest {
        let operation = slot.interest == 0 ? CFLEET_EPOLL_CTL_ADD : wants == 0 ? CFLEET_EPOLL_CTL_DEL : CFLEET_EPOLL_CTL_MOD
        _ = cfleet_epoll_ctl(epoll, operation, slot.local, wants, UInt64(UInt32(bitPattern: slot.local)))
        slot.interest = wants
      }
      // The session is read while a channel has room for what it brings, or is closing, or
      // waits for window to write.
      if slot.closeStarted || (!slot.remoteEOF && slot.toLocal.count < Self.bufferCap) || !slot.toRemote.isEmpty {
        sessionWants |= CFLEET_EPOLLIN
      }
    }
    if libssh2_session_block_directions(session) & CFLEET_OUTBOUND != 0 { sessionWants |= CFLEET_EPOLLOUT }
    if sessionWants != sessionInterest {
      _ = cfleet_epoll_ctl(epoll, CFLEET_EPOLL_CTL_MOD, socket, sessionWants, UInt64(UInt32(bitPattern: socket)))
      sessionInterest = sessionWants
    }
  }

  /// Tears every channel down without waiting (the session is ending): local ends closed so
  /// their targets fail at once, the open in progress failed, the private epoll closed.
  func closeAll() {
    if let current = opening, !current.abandoned {
      current.request.continuation.resume(returning: .failure(broken?.viaJumpHost(jump.label) ?? SSHError(.cancelled)))
    }
    opening = nil
    for slot in slots.values where slot.local >= 0 {
      shutdown(slot.local, Int32(SHUT_RDWR))
      Glibc.close(slot.local)
    }
    // The session is freed right after; libssh2 frees its channels with it.
    slots.removeAll()
    if epoll >= 0 {
      Reactor.shared.forget(fd: epoll)
      Glibc.close(epoll)
      epoll = -1
    }
  }
}

/// `host:port`, with an IPv6 address in brackets.
enum HostPortText {
  static func format(_ host: String, _ port: Int) -> String {
    host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
  }
}
