/// Reads the probe's `addresses` section: `ip -o addr show` lines, or, on hosts without
/// `ip`, /proc/net/if_inet6 rows and the LOCAL entries of /proc/net/fib_trie.
public enum InterfaceAddressParser {
  public static func parse(_ bytes: [UInt8]) -> [InterfaceAddress] {
    let text = String(decoding: bytes, as: UTF8.self)
    var result: [InterfaceAddress] = []
    var lastTrieAddress: Substring?
    for line in text.split(separator: "\n") {
      let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      // `2: eth0    inet 10.0.0.5/24 brd … scope global eth0`
      if fields.count >= 4, fields[0].hasSuffix(":"), fields[2] == "inet" || fields[2] == "inet6" {
        let interface = String(fields[1].split(separator: "@").first ?? fields[1])
        let parts = fields[3].split(separator: "/")
        guard let first = parts.first else { continue }
        let address = HostAddress.parse(first)
        if case .text = address { continue }
        result.append(InterfaceAddress(interface: interface, address: address, prefixLength: parts.count > 1 ? Int(parts[1]) : nil))
        continue
      }
      // /proc/net/if_inet6: `fd002000000000000000000000010001 02 40 00 80 eth0`
      if fields.count == 6, fields[0].count == 32, let prefix = Int(fields[2], radix: 16) {
        let hex = Array(fields[0])
        let groups = stride(from: 0, to: 32, by: 4).compactMap { UInt16(String(hex[$0..<($0 + 4)]), radix: 16) }
        if groups.count == 8 {
          let address = IPv6Address(groups: groups)
          result.append(InterfaceAddress(interface: String(fields[5]), address: .ipv6(address), prefixLength: prefix))
        }
        continue
      }
      // /proc/net/fib_trie: `|-- 10.0.0.5` followed by `/32 host LOCAL`.
      if let last = fields.last, fields.count == 2, fields[0] == "|--" || fields[0] == "+--" {
        lastTrieAddress = last
        continue
      }
      if line.contains("/32 host LOCAL"), let address = lastTrieAddress, let v4 = IPv4Address(address) {
        let entry = InterfaceAddress(interface: "?", address: .ipv4(v4), prefixLength: 32)
        if !result.contains(entry) { result.append(entry) }
      }
    }
    return result
  }
}
