import CFleetShims
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// One connection to ssh-agent's Unix socket, for one login. Its calls block until the agent
/// answers, so they run on the `BlockingCallThread` only; a send and receive timeout of 10 s
/// each keeps an agent that never answers from holding that thread for ever.
final class SSHAgentConnection {
  private let fd: Int32

  /// Connects to the agent at `socketPath`; nil when it cannot be reached.
  init?(socketPath: String) {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return nil }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let path = Array(socketPath.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard path.count < capacity else {
      Glibc.close(fd)
      return nil
    }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
      raw.copyBytes(from: path)
      raw[path.count] = 0
    }
    var limit = timeval(tv_sec: 10, tv_usec: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard connected == 0 else {
      Glibc.close(fd)
      return nil
    }
    self.fd = fd
  }

  deinit { Glibc.close(fd) }

  /// The keys the agent holds; nil when it does not answer properly.
  func identities() -> [SSHAgentProtocol.Identity]? {
    call(SSHAgentProtocol.identitiesRequest()).flatMap(SSHAgentProtocol.identities(in:))
  }

  /// The agent's signature of `data` with the key `blob`, or nil when it refuses.
  func sign(blob: [UInt8], data: [UInt8], flags: UInt32) -> (algorithm: String, signature: [UInt8])? {
    call(SSHAgentProtocol.signatureRequest(blob: blob, data: data, flags: flags)).flatMap(SSHAgentProtocol.signature(in:))
  }

  /// Sends one request and reads its reply (without the length).
  private func call(_ message: [UInt8]) -> [UInt8]? {
    let request = SSHAgentProtocol.framed(message)
    guard writeAll(request), let header = read(4) else { return nil }
    let length = header.reduce(0) { $0 << 8 | Int($1) }
    guard length > 0, length <= SSHAgentProtocol.maximumMessage else { return nil }
    return read(length)
  }

  private func writeAll(_ bytes: [UInt8]) -> Bool {
    var sent = 0
    while sent < bytes.count {
      let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { return false }
      sent += n
    }
    return true
  }

  private func read(_ count: Int) -> [UInt8]? {
    var buffer = [UInt8](repeating: 0, count: count)
    var got = 0
    while got < count {
      let n = buffer[got...].withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { return nil }
      got += n
    }
    return buffer
  }
}
