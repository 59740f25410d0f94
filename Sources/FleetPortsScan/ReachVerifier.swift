import FleetPortsCore
import Foundation
import Synchronization

/// `--verify-reach`: TCP connects from the controller to the listeners the scan judged open or
/// blocked (`ReachCheckPlan.targets`), recorded on each listener. Bounded: at most
/// `maxInFlight` sockets at once, each given `timeout`; all on one thread of its own with
/// `poll`, so no connect ever blocks the cooperative pool.
public enum ReachVerifier {
  /// The scan with every target's connect recorded (`Listener.reachCheck`) and a note.
  public static func verify(_ scan: ScanResult, perHost: Int = 16, timeout: Duration = .seconds(2), maxInFlight: Int = 64) async -> ScanResult {
    let targets = ReachCheckPlan.targets(scan, perHost: perHost)
    guard !targets.isEmpty else { return scan }
    let endpoints = targets.map { ($0.address, $0.port) }
    // Ctrl-C stops between batches: the connects made so far are recorded, the scan is marked
    // interrupted (exit 130), and at most one batch's timeout is waited for.
    let cancelled = Mutex(false)
    let connected = await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<[Bool], Never>) in
        Thread.detachNewThread {
          let results = connectAll(endpoints, timeout: timeout, maxInFlight: maxInFlight) { cancelled.withLock { $0 } }
          continuation.resume(returning: results)
        }
      }
    } onCancel: {
      cancelled.withLock { $0 = true }
    }
    var verified = ReachCheckPlan.record(Array(zip(targets, connected)), in: scan)
    if cancelled.withLock({ $0 }) { verified.interrupted = true }
    return verified
  }

  /// True per endpoint when a TCP handshake with it completed within `timeout`. Literal
  /// addresses only (`inet_pton`); anything else is false.
  static func connectAll(
    _ endpoints: [(String, UInt16)], timeout: Duration, maxInFlight: Int, isCancelled: () -> Bool = { false }
  ) -> [Bool] {
    var results = [Bool](repeating: false, count: endpoints.count)
    let millis = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
    var next = 0
    // Batches of at most maxInFlight sockets, each batch waited on for at most `timeout`.
    while next < endpoints.count && !isCancelled() {
      let batch = next..<min(endpoints.count, next + max(1, maxInFlight))
      next = batch.upperBound
      var fds: [(index: Int, fd: Int32)] = []
      for index in batch {
        let fd = start(endpoints[index].0, endpoints[index].1)
        if fd >= 0 { fds.append((index, fd)) }
      }
      let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(millis) * 1_000_000
      var pending = fds
      while !pending.isEmpty {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now < deadline else { break }
        var polls = pending.map { pollfd(fd: $0.fd, events: Int16(POLLOUT), revents: 0) }
        let left = Int32(clamping: (deadline - now) / 1_000_000 + 1)
        guard poll(&polls, nfds_t(polls.count), left) > 0 else { continue }
        var still: [(index: Int, fd: Int32)] = []
        for (entry, answer) in zip(pending, polls) {
          if answer.revents == 0 {
            still.append(entry)
            continue
          }
          var error: Int32 = 0
          var length = socklen_t(MemoryLayout<Int32>.size)
          getsockopt(entry.fd, SOL_SOCKET, SO_ERROR, &error, &length)
          results[entry.index] = error == 0 && answer.revents & Int16(POLLOUT) != 0
        }
        pending = still
      }
      // Reset, not closed: a FIN would leave a service that never accepts a CLOSE-WAIT socket.
      var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
      for entry in fds {
        setsockopt(entry.fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close(entry.fd)
      }
    }
    return results
  }

  /// A non-blocking connect started; -1 when the address is not a literal or the socket fails.
  static func start(_ address: String, _ port: UInt16) -> Int32 {
    var v4 = sockaddr_in()
    var v6 = sockaddr_in6()
    if inet_pton(AF_INET, address, &v4.sin_addr) == 1 {
      v4.sin_family = sa_family_t(AF_INET)
      v4.sin_port = port.bigEndian
      return open(family: AF_INET, &v4, MemoryLayout<sockaddr_in>.size)
    }
    if inet_pton(AF_INET6, address, &v6.sin6_addr) == 1 {
      v6.sin6_family = sa_family_t(AF_INET6)
      v6.sin6_port = port.bigEndian
      return open(family: AF_INET6, &v6, MemoryLayout<sockaddr_in6>.size)
    }
    return -1
  }

  static func open<T>(family: Int32, _ address: inout T, _ size: Int) -> Int32 {
    let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return -1 }
    let status = withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(size)) }
    }
    if status == 0 || errno == EINPROGRESS { return fd }
    // Refused at once (RST from a local address): no socket to wait on, the answer is "not connected".
    close(fd)
    return -1
  }
}
