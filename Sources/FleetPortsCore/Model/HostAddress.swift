/// The IP family of a socket.
public enum IPFamily: String, Hashable, Sendable, Codable {
  case ipv4
  case ipv6
}

/// A socket address as a tool printed it, with the distinctions audits need kept
/// apart: a wildcard bind, IPv4, IPv6 with its zone, and IPv4-mapped IPv6.
public enum HostAddress: Hashable, Sendable, CustomStringConvertible {
  /// `0.0.0.0`, `::` or `*`: every address of the family (nil when the tool did not say which).
  case wildcard(IPFamily?)
  case ipv4(IPv4Address, zone: String? = nil)
  case ipv6(IPv6Address, zone: String? = nil)
  /// `::ffff:a.b.c.d`: an IPv6 socket talking to an IPv4 peer.
  case ipv4Mapped(IPv4Address)
  /// Text that is not an address literal: a host name, or what a tool left of one.
  case text(String)

  public var family: IPFamily? {
    switch self {
    case .wildcard(let family): return family
    case .ipv4: return .ipv4
    case .ipv6, .ipv4Mapped: return .ipv6
    case .text: return nil
    }
  }

  public var isWildcard: Bool {
    if case .wildcard = self { return true }
    return false
  }

  public var zone: String? {
    switch self {
    case .ipv4(_, let zone), .ipv6(_, let zone): return zone
    default: return nil
    }
  }

  /// An IPv6 address as the kernel's socket tables mean it: `::` is the wildcard and
  /// `::ffff:a.b.c.d` an IPv4 peer of an IPv6 socket; no zone (/proc/net prints none).
  static func kernelIPv6(_ v6: IPv6Address) -> HostAddress {
    if v6.isUnspecified { return .wildcard(.ipv6) }
    if let mapped = v6.mappedIPv4 { return .ipv4Mapped(mapped) }
    return .ipv6(v6)
  }

  /// Parses address text without brackets or port: `*`, `0.0.0.0`, `::`, `fe80::1%eth0`.
  public static func parse(_ text: Substring) -> HostAddress {
    if text == "*" { return .wildcard(nil) }
    var body = text
    var zone: String?
    if let percent = text.firstIndex(of: "%") {
      body = text[..<percent]
      let zoneText = text[text.index(after: percent)...]
      zone = zoneText.isEmpty ? nil : String(zoneText)
    }
    if body == "*" { return .wildcard(nil) }
    if let v4 = IPv4Address(body) {
      if v4.value == 0 && zone == nil { return .wildcard(.ipv4) }
      return .ipv4(v4, zone: zone)
    }
    if let v6 = IPv6Address(body) {
      if v6.isUnspecified && zone == nil { return .wildcard(.ipv6) }
      if let mapped = v6.mappedIPv4, zone == nil { return .ipv4Mapped(mapped) }
      return .ipv6(v6, zone: zone)
    }
    return .text(String(text))
  }

  public var description: String {
    switch self {
    case .wildcard(.ipv4): return "0.0.0.0"
    case .wildcard(.ipv6): return "::"
    case .wildcard(nil): return "*"
    case .ipv4(let address, let zone): return zone.map { "\(address)%\($0)" } ?? address.description
    case .ipv6(let address, let zone): return zone.map { "\(address)%\($0)" } ?? address.description
    case .ipv4Mapped(let address): return "::ffff:\(address)"
    case .text(let text): return text
    }
  }
}

extension HostAddress: Codable {
  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    self = HostAddress.parse(Substring(text))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}
