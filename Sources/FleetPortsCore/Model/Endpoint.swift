/// One end of an IP socket: an address and a port (nil where the tool printed `*`).
public struct Endpoint: Hashable, Sendable, Codable, CustomStringConvertible {
  public var address: HostAddress
  public var port: UInt16?
  /// A service name the tool printed instead of a number (`*:ssh` without `-n`).
  public var serviceName: String?

  public init(address: HostAddress, port: UInt16?, serviceName: String? = nil) {
    self.address = address
    self.port = port
    self.serviceName = serviceName
  }

  public var description: String {
    let portText = port.map(String.init) ?? serviceName ?? "*"
    switch address {
    case .ipv6, .ipv4Mapped, .wildcard(.ipv6): return "[\(address)]:\(portText)"
    default: return "\(address):\(portText)"
    }
  }
}
