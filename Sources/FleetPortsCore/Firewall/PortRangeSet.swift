/// A set of transport ports (0–65535) as sorted, disjoint closed ranges: `22`, `{22, 443}`,
/// `8000-8100` (nft), `8000:8100` and `80,443` (iptables).
public struct PortRangeSet: Hashable, Sendable, CustomStringConvertible {
  /// The ranges, ascending and disjoint.
  public private(set) var ranges: [ClosedRange<UInt16>]

  /// The union of `ranges`.
  public init(_ ranges: [ClosedRange<UInt16>]) {
    var result: [ClosedRange<UInt16>] = []
    for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
      if let last = result.last, Int(range.lowerBound) <= Int(last.upperBound) + 1 {
        result[result.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
      } else {
        result.append(range)
      }
    }
    self.ranges = result
  }

  /// Parses iptables' spelling: `22`, `8000:8100`, `:1023`, `1024:`, or a comma list of those
  /// (`-m multiport --dports 80,443,8000:8100`). Nil for anything else (service names included).
  public static func parseIptables(_ text: Substring) -> PortRangeSet? {
    var ranges: [ClosedRange<UInt16>] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      if let colon = part.firstIndex(of: ":") {
        let lowText = part[..<colon]
        let highText = part[part.index(after: colon)...]
        guard let low = lowText.isEmpty ? 0 : UInt16(lowText), let high = highText.isEmpty ? UInt16.max : UInt16(highText) else { return nil }
        // iptables swaps a reversed range (`xtables_parse_multi_ports` / `parse_ports`).
        ranges.append(min(low, high)...max(low, high))
      } else {
        guard let port = UInt16(part) else { return nil }
        ranges.append(port...port)
      }
    }
    return ranges.isEmpty ? nil : PortRangeSet(ranges)
  }

  public func contains(_ port: UInt16) -> Bool { ranges.contains { $0.contains(port) } }

  public var description: String {
    ranges.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ",")
  }
}
