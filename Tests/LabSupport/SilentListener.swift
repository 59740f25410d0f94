#if canImport(Glibc)
  import Glibc
#endif

/// A TCP listener on 127.0.0.1 that completes connections (the kernel does) but never
/// speaks: what a hung sshd or a tarpit looks like to a client. Close it when done.
public struct SilentListener: Sendable {
  public let fd: Int32
  public let port: Int

  public init() {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = bind(fd, $0, length) }
    }
    listen(fd, 16)
    withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
    }
    self.fd = fd
    self.port = Int(UInt16(bigEndian: address.sin_port))
  }

  public func close() { _ = Glibc.close(fd) }
}
