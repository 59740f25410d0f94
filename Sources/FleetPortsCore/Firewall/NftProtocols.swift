/// IP protocol names as nftables and iptables print them (`/etc/protocols` spellings), and their numbers.
enum IPProtocolNames {
  static let numbers: [String: UInt8] = [
    "icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "dccp": 33, "ipv6": 41, "gre": 47, "esp": 50, "ah": 51,
    "icmpv6": 58, "ipv6-icmp": 58, "sctp": 132, "udplite": 136, "mptcp": 6,
  ]

  /// A protocol name or number; nil when neither.
  static func number(_ text: String) -> UInt8? { numbers[text.lowercased()] ?? UInt8(text) }

  /// The transport protocol of a payload header name (`tcp`, `udp`, `sctp`, `dccp`, `udplite`).
  static func transport(_ header: String) -> UInt8? {
    switch header {
    case "tcp": return 6
    case "udp": return 17
    case "sctp": return 132
    case "dccp": return 33
    case "udplite": return 136
    default: return nil
    }
  }
}
