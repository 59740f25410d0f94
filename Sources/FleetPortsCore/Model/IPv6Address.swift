/// An IPv6 address as 128 bits, high and low halves in network order.
public struct IPv6Address: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var high: UInt64
  public var low: UInt64

  public init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  /// Builds an address from eight 16-bit groups.
  public init(groups: [UInt16]) {
    precondition(groups.count == 8)
    var h: UInt64 = 0
    var l: UInt64 = 0
    for i in 0..<4 { h = h << 16 | UInt64(groups[i]) }
    for i in 4..<8 { l = l << 16 | UInt64(groups[i]) }
    high = h
    low = l
  }

  /// Parses RFC 4291 text: `::`, `fe80::1`, `::ffff:192.0.2.1`. No brackets, no zone.
  public init?(_ text: Substring) {
    guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
    var head: [UInt16] = []
    var tail: [UInt16] = []
    var sawGap = false
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count >= 3 || (parts.count >= 2 && text.contains(".")) || parts.count >= 2 else { return nil }
    var index = 0
    // A leading or trailing "::" produces two empty parts; collapse them.
    while index < parts.count {
      let part = parts[index]
      if part.isEmpty {
        if sawGap {
          // Only the empty neighbours of a single "::" are allowed.
          let atEdge = (index == 1 && parts[0].isEmpty) || index == parts.count - 1
          guard atEdge else { return nil }
        } else {
          sawGap = true
          if index == 0 {
            guard parts.count > 1, parts[1].isEmpty else { return nil }
            index += 1
          }
        }
        index += 1
        continue
      }
      if part.contains(".") {
        guard index == parts.count - 1, let v4 = IPv4Address(part) else { return nil }
        let groupsHigh = UInt16(v4.value >> 16)
        let groupsLow = UInt16(truncatingIfNeeded: v4.value)
        if sawGap { tail += [groupsHigh, groupsLow] } else { head += [groupsHigh, groupsLow] }
        index += 1
        continue
      }
      guard part.utf8.count <= 4, let group = UInt16(part, radix: 16) else { return nil }
      if sawGap { tail.append(group) } else { head.append(group) }
      index += 1
    }
    let count = head.count + tail.count
    if sawGap {
      guard count <= 7 else { return nil }
    } else {
      guard count == 8 else { return nil }
    }
    self.init(groups: head + Array(repeating: 0, count: 8 - count) + tail)
  }

  public var groups: [UInt16] {
    (0..<4).map { UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64($0))) }
      + (0..<4).map { UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64($0))) }
  }

  public var isUnspecified: Bool { high == 0 && low == 0 }
  public var isLoopback: Bool { high == 0 && low == 1 }

  /// The IPv4 address inside `::ffff:a.b.c.d`, if this is an IPv4-mapped address.
  public var mappedIPv4: IPv4Address? {
    guard high == 0, low >> 32 == 0xffff else { return nil }
    return IPv4Address(UInt32(truncatingIfNeeded: low))
  }

  /// RFC 5952 text: lower case, the longest run of zero groups shortened to `::`.
  public var description: String {
    if let v4 = mappedIPv4 { return "::ffff:\(v4)" }
    let g = groups
    var bestStart = -1
    var bestLength = 0
    var start = -1
    for i in 0...8 {
      if i < 8 && g[i] == 0 {
        if start < 0 { start = i }
      } else if start >= 0 {
        if i - start > bestLength && i - start >= 2 {
          bestStart = start
          bestLength = i - start
        }
        start = -1
      }
    }
    func hex(_ range: Range<Int>) -> String {
      range.map { String(g[$0], radix: 16) }.joined(separator: ":")
    }
    if bestStart < 0 { return hex(0..<8) }
    return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
  }

  public static func < (lhs: IPv6Address, rhs: IPv6Address) -> Bool {
    (lhs.high, lhs.low) < (rhs.high, rhs.low)
  }
}
