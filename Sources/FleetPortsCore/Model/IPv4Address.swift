/// An IPv4 address as a 32-bit number in network order (first octet in the high byte).
public struct IPv4Address: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var value: UInt32

  public init(_ value: UInt32) { self.value = value }

  public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
    value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
  }

  /// Parses dotted-quad text (`192.0.2.1`); nil for anything else.
  public init?(_ text: Substring) {
    var octets: [UInt32] = []
    octets.reserveCapacity(4)
    for part in text.split(separator: ".", omittingEmptySubsequences: false) {
      guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
        let octet = UInt32(part), octet <= 255
      else { return nil }
      octets.append(octet)
    }
    guard octets.count == 4 else { return nil }
    value = octets[0] << 24 | octets[1] << 16 | octets[2] << 8 | octets[3]
  }

  public var octets: (UInt8, UInt8, UInt8, UInt8) {
    (UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value))
  }

  public var description: String {
    let o = octets
    return "\(o.0).\(o.1).\(o.2).\(o.3)"
  }

  public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}
