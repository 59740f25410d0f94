/// A set of IP addresses as sorted, disjoint, non-adjacent closed ranges in one 128-bit space:
/// IPv6 addresses as they are, IPv4 addresses mapped into `::ffff:0:0/96` (so `10.0.0.0/8` is
/// `::ffff:10.0.0.0`–`::ffff:10.255.255.255`). The family of a packet is matched separately
/// (`RuleMatch.family`), so the mapped range never stands for IPv6 traffic.
///
/// Used for rule matches (`ip saddr 10.0.0.0/8`, `-s 192.168.0.0/16`) and, in the evaluator,
/// for the part of the source space a path through the chains still covers.
public struct AddressRangeSet: Hashable, Sendable, CustomStringConvertible {
  /// The ranges, ascending, disjoint and not touching.
  public private(set) var ranges: [ClosedRange<IPv6Address>]

  /// The empty set.
  public init() { ranges = [] }

  /// The union of `ranges` (any order, overlaps allowed).
  public init(_ ranges: [ClosedRange<IPv6Address>]) {
    self.ranges = AddressRangeSet.normalized(ranges)
  }

  /// Every IPv4 address (`0.0.0.0/0`, mapped).
  public static let allIPv4 = AddressRangeSet([IPv6Address(high: 0, low: 0xffff_0000_0000)...IPv6Address(high: 0, low: 0xffff_ffff_ffff)])
  /// Every IPv6 address (`::/0`).
  public static let allIPv6 = AddressRangeSet([IPv6Address(high: 0, low: 0)...IPv6Address(high: .max, low: .max)])

  /// Every address of `family`.
  public static func all(_ family: IPFamily) -> AddressRangeSet { family == .ipv4 ? allIPv4 : allIPv6 }

  public var isEmpty: Bool { ranges.isEmpty }

  /// Parses `10.0.0.0/8`, `10.1.2.3`, `fc00::/7`, `::1`, `10.0.0.1-10.0.0.9` (a range), or a
  /// netmask form `10.0.0.0/255.0.0.0` as iptables accepts it. Host bits under the prefix are
  /// cleared as the kernel does. Nil for anything else.
  public static func parse<S: StringProtocol>(_ text: S) -> AddressRangeSet? {
    let text = Substring(text)
    if let dash = text.firstIndex(of: "-") {
      guard let low = address(text[..<dash]), let high = address(text[text.index(after: dash)...]), low <= high else { return nil }
      return AddressRangeSet([low...high])
    }
    guard let slash = text.firstIndex(of: "/") else {
      return address(text).map { AddressRangeSet([$0...$0]) }
    }
    let base = text[..<slash]
    let lengthText = text[text.index(after: slash)...]
    let isV4 = IPv4Address(base) != nil
    var length: Int
    if let number = Int(lengthText) {
      length = number
    } else if isV4, let mask = IPv4Address(lengthText) {
      // A netmask: contiguous ones only.
      let ones = (~mask.value).leadingZeroBitCount
      guard mask.value == (ones == 0 ? 0 : UInt32.max << (32 - ones)) else { return nil }
      length = ones
    } else {
      return nil
    }
    guard let start = address(base), length >= 0, length <= (isV4 ? 32 : 128) else { return nil }
    if isV4 { length += 96 }
    return AddressRangeSet([prefixRange(start, length: length)])
  }

  /// One address: IPv4 text mapped, IPv6 text as is.
  static func address(_ text: Substring) -> IPv6Address? {
    if let v4 = IPv4Address(text) { return IPv6Address(high: 0, low: 0xffff_0000_0000 | UInt64(v4.value)) }
    return IPv6Address(text)
  }

  /// The range a prefix of `length` bits (0–128, in the 128-bit space) starting at `start` covers.
  static func prefixRange(_ start: IPv6Address, length: Int) -> ClosedRange<IPv6Address> {
    let highMask: UInt64 = length >= 64 ? .max : (length == 0 ? 0 : UInt64.max << (64 - length))
    let lowMask: UInt64 = length <= 64 ? 0 : (length >= 128 ? .max : UInt64.max << (128 - length))
    let low = IPv6Address(high: start.high & highMask, low: start.low & lowMask)
    let high = IPv6Address(high: start.high | ~highMask, low: start.low | ~lowMask)
    return low...high
  }

  public func contains(_ address: IPv6Address) -> Bool {
    var lower = 0
    var upper = ranges.count
    while lower < upper {
      let middle = (lower + upper) / 2
      if ranges[middle].upperBound < address {
        lower = middle + 1
      } else if address < ranges[middle].lowerBound {
        upper = middle
      } else {
        return true
      }
    }
    return false
  }

  public func union(_ other: AddressRangeSet) -> AddressRangeSet { AddressRangeSet(ranges + other.ranges) }

  public func intersection(_ other: AddressRangeSet) -> AddressRangeSet {
    var result: [ClosedRange<IPv6Address>] = []
    var i = 0
    var j = 0
    while i < ranges.count && j < other.ranges.count {
      let a = ranges[i]
      let b = other.ranges[j]
      let low = max(a.lowerBound, b.lowerBound)
      let high = min(a.upperBound, b.upperBound)
      if low <= high { result.append(low...high) }
      if a.upperBound < b.upperBound { i += 1 } else { j += 1 }
    }
    var set = AddressRangeSet()
    set.ranges = result
    return set
  }

  public func subtracting(_ other: AddressRangeSet) -> AddressRangeSet {
    var result: [ClosedRange<IPv6Address>] = []
    var j = 0
    for range in ranges {
      var low = range.lowerBound
      var done = false
      while j < other.ranges.count && other.ranges[j].upperBound < low { j += 1 }
      var k = j
      while k < other.ranges.count && other.ranges[k].lowerBound <= range.upperBound {
        let cut = other.ranges[k]
        if cut.lowerBound > low, let before = cut.lowerBound.predecessor { result.append(low...before) }
        guard let after = cut.upperBound.successor, after <= range.upperBound else {
          done = true
          break
        }
        low = max(low, after)
        k += 1
      }
      if !done { result.append(low...range.upperBound) }
    }
    var set = AddressRangeSet()
    set.ranges = result
    return set
  }

  public func isSubset(of other: AddressRangeSet) -> Bool { subtracting(other).isEmpty }
  public func isDisjoint(with other: AddressRangeSet) -> Bool { intersection(other).isEmpty }

  /// The set as CIDR prefixes, fewest first-to-last: `10.0.0.0/8`, `fc00::/7`; IPv4 in dotted form.
  public var prefixes: [String] {
    var result: [String] = []
    for range in ranges {
      var low = range.lowerBound
      var guardCount = 0
      while low <= range.upperBound && guardCount < 300 {
        guardCount += 1
        var length = 128
        while length > 0 {
          let candidate = AddressRangeSet.prefixRange(low, length: length - 1)
          guard candidate.lowerBound == low, candidate.upperBound <= range.upperBound else { break }
          length -= 1
        }
        let block = AddressRangeSet.prefixRange(low, length: length)
        result.append(AddressRangeSet.prefixText(low, length: length))
        guard let next = block.upperBound.successor else { break }
        low = next
      }
    }
    return result
  }

  static func prefixText(_ address: IPv6Address, length: Int) -> String {
    if let v4 = address.mappedIPv4, length >= 96 { return length == 128 ? "\(v4)/32" : "\(v4)/\(length - 96)" }
    return "\(address)/\(length)"
  }

  public var description: String { prefixes.joined(separator: ", ") }

  private static func normalized(_ input: [ClosedRange<IPv6Address>]) -> [ClosedRange<IPv6Address>] {
    let sorted = input.sorted { $0.lowerBound < $1.lowerBound }
    var result: [ClosedRange<IPv6Address>] = []
    for range in sorted {
      if let last = result.last, last.upperBound.successor.map({ range.lowerBound <= $0 }) ?? true {
        result[result.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
      } else {
        result.append(range)
      }
    }
    return result
  }
}

extension IPv6Address {
  /// The next address; nil after `ffff:…:ffff`.
  var successor: IPv6Address? {
    if low != .max { return IPv6Address(high: high, low: low + 1) }
    if high != .max { return IPv6Address(high: high + 1, low: 0) }
    return nil
  }

  /// The previous address; nil before `::`.
  var predecessor: IPv6Address? {
    if low != 0 { return IPv6Address(high: high, low: low - 1) }
    if high != 0 { return IPv6Address(high: high - 1, low: .max) }
    return nil
  }
}
