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

  /// The same, straight from bytes: IPv4 and `*` forms are read without building strings
  /// (the common case, and the one `make bench` measures); anything else goes the text way.
  static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Endpoint? {
    var colon = bytes.count - 1
    while colon >= 0 && bytes[colon] != 58 { colon -= 1 }
    guard colon > 0 else { return parse(Substring(String(decoding: bytes, as: UTF8.self))) }
    let portCount = bytes.count - colon - 1
    var port: UInt16?
    if portCount == 1 && bytes[colon + 1] == 42 {
      port = nil
    } else if portCount > 0, portCount <= 5, let value = bytes.decimal((colon + 1)..<bytes.count), value <= 65535 {
      port = UInt16(value)
    } else {
      return parse(Substring(String(decoding: bytes, as: UTF8.self)))
    }
    if colon == 1 && bytes[0] == 42 { return Endpoint(address: .wildcard(nil), port: port) }
    if let v4 = dottedQuad(bytes, 0..<colon) {
      return Endpoint(address: v4 == 0 ? .wildcard(.ipv4) : .ipv4(IPv4Address(v4)), port: port)
    }
    return parse(Substring(String(decoding: bytes, as: UTF8.self)))
  }

  @inline(__always)
  static func dottedQuad(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt32? {
    guard range.count >= 7, range.count <= 15 else { return nil }
    var value: UInt32 = 0
    var octet: UInt32 = 0
    var digits = 0
    var dots = 0
    for i in range {
      let byte = bytes[i]
      if byte == 46 {
        guard digits > 0, dots < 3 else { return nil }
        value = value << 8 | octet
        octet = 0
        digits = 0
        dots += 1
      } else if isDigit(byte) {
        guard digits < 3 else { return nil }
        octet = octet * 10 + UInt32(byte - 48)
        guard octet <= 255 else { return nil }
        digits += 1
      } else {
        return nil
      }
    }
    guard dots == 3, digits > 0 else { return nil }
    return value << 8 | octet
  }

  /// The family an endpoint's text implies, for tools whose Netid/Proto says only `tcp`.
  static func family(of endpoint: Endpoint?) -> IPFamily? { endpoint?.address.family }
}
