import CFleetShims
import FleetPortsCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A resolved address ready for `connect(2)`.
struct ResolvedAddress: Sendable {
  var family: Int32
  var storage: [UInt8]
}

/// Turns a host into addresses. IP literals are converted in place; names go through
/// `getaddrinfo` on a small dedicated queue, never on Swift's cooperative pool.
enum SocketAddressResolver {
  private static let queue: OperationQueue = {
    let queue = OperationQueue()
    queue.name = "fleetports-resolver"
    queue.maxConcurrentOperationCount = 8
    return queue
  }()

  /// Resolves `host`, giving up at `deadline` (or on cancellation) even while getaddrinfo,
  /// which cannot be interrupted, is still waiting for DNS: its late answer is dropped.
  /// - Throws: `.resolveFailed`, `.timedOut(.resolve, …)` or `.cancelled`.
  static func resolve(_ host: String, port: Int, until deadline: ContinuousClock.Instant, limit: Duration) async throws(SSHError) -> [ResolvedAddress] {
    if let literal = literal(host, port: port) { return [literal] }
    let once = ResumeOnce<[ResolvedAddress]>()
    let timeout = Task {
      // Cancelled below once the lookup is answered, so no sleeping task outlives it.
      guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
      once.resume(with: .failure(SSHError(.timedOut(.resolve, seconds: limit.seconds))))
    }
    defer { timeout.cancel() }
    let result = await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Result<[ResolvedAddress], SSHError>, Never>) in
        once.set(continuation)
        queue.addOperation {
          once.resume(with: lookup(host, port: port))
        }
      }
    } onCancel: {
      once.resume(with: .failure(SSHError(.cancelled)))
    }
    return try result.get()
  }

  private static func lookup(_ host: String, port: Int) -> Result<[ResolvedAddress], SSHError> {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_family = AF_UNSPEC
    var result: UnsafeMutablePointer<addrinfo>?
    let rc = getaddrinfo(host, String(port), &hints, &result)
    guard rc == 0, let first = result else {
      return .failure(SSHError(.resolveFailed(String(cString: gai_strerror(rc)))))
    }
    var addresses: [ResolvedAddress] = []
    var cursor: UnsafeMutablePointer<addrinfo>? = first
    while let info = cursor {
      if let address = info.pointee.ai_addr {
        let bytes = UnsafeRawBufferPointer(start: address, count: Int(info.pointee.ai_addrlen))
        addresses.append(ResolvedAddress(family: info.pointee.ai_family, storage: Array(bytes)))
      }
      cursor = info.pointee.ai_next
    }
    freeaddrinfo(first)
    return .success(addresses)
  }

  /// `10.0.0.1`, `fd00::1`, `[fd00::1]`, `fe80::1%eth0`.
  static func literal(_ host: String, port: Int) -> ResolvedAddress? {
    var text = host
    if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
    var v4 = sockaddr_in()
    if inet_pton(AF_INET, text, &v4.sin_addr) == 1 {
      v4.sin_family = sa_family_t(AF_INET)
      v4.sin_port = in_port_t(UInt16(port).bigEndian)
      return ResolvedAddress(family: AF_INET, storage: withUnsafeBytes(of: &v4) { Array($0) })
    }
    var zone: String?
    if let percent = text.firstIndex(of: "%") {
      zone = String(text[text.index(after: percent)...])
      text = String(text[..<percent])
    }
    var v6 = sockaddr_in6()
    if inet_pton(AF_INET6, text, &v6.sin6_addr) == 1 {
      v6.sin6_family = sa_family_t(AF_INET6)
      v6.sin6_port = in_port_t(UInt16(port).bigEndian)
      if let zone { v6.sin6_scope_id = if_nametoindex(zone) }
      return ResolvedAddress(family: AF_INET6, storage: withUnsafeBytes(of: &v6) { Array($0) })
    }
    return nil
  }
}
