/// Reads `address:port` as ss, netstat and lsof print it, in every layout seen in the wild:
/// `0.0.0.0:22`, `*:22`, `[::]:22`, `:::22` (old, unbracketed), `[::ffff:10.0.0.1]:443`,
/// `[fe80::1]%eth0:123`, `fe80::1%eth0:123`, `127.0.0.53%lo:53`, `[fe80::1%eth0]:123`, `*:*`.
enum EndpointText {
  /// nil when the text has no `:port` part at all.
  static func parse(_ text: Substring) -> Endpoint? {
    guard let colon = text.lastIndex(of: ":") else { return nil }
    var hostPart = text[..<colon]
    let portPart = text[text.index(after: colon)...]
    var zone: Substring?
    if hostPart.hasPrefix("[") {
      guard let close = hostPart.firstIndex(of: "]") else { return nil }
      let inside = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
      let after = hostPart[hostPart.index(after: close)...]
      if after.hasPrefix("%") {
        zone = after.dropFirst()
      } else if !after.isEmpty {
        return nil
      }
      hostPart = inside
    }
    guard !hostPart.isEmpty else { return nil }
    var address = HostAddress.parse(hostPart)
    if let zone, !zone.isEmpty {
      address = HostAddress.parse(Substring("\(hostPart)%\(zone)"))
    }
    switch portPart {
    case "*", "":
      return Endpoint(address: address, port: nil)
    default:
      if let port = UInt16(portPart) { return Endpoint(address: address, port: port) }
      // A service name (no -n): keep it rather than inventing a number.
      guard portPart.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
        return nil
      }
      return Endpoint(address: address, port: nil, serviceName: String(portPart))
    }
  }

  /// The family an endpoint's text implies, for tools whose Netid/Proto says only `tcp`.
  static func family(of endpoint: Endpoint?) -> IPFamily? { endpoint?.address.family }
}
