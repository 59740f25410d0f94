/// An address configured on one of a host's interfaces, which decides how far a wildcard
/// bind reaches.
public struct InterfaceAddress: Hashable, Sendable, Codable {
  public var interface: String
  public var address: HostAddress
  public var prefixLength: Int?

  public init(interface: String, address: HostAddress, prefixLength: Int?) {
    self.interface = interface
    self.address = address
    self.prefixLength = prefixLength
  }
}
