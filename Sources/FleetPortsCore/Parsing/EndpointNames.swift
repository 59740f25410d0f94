/// Puts numbers back where a tool printed names, and moves a raw socket's IP protocol out of
/// the port. Tools run without `-n` (ss, netstat) or `-P`/`-n` (lsof) print service names
/// (`0.0.0.0:ssh`), host names (`localhost:ipp`) and, for raw sockets, protocol names
/// (`0.0.0.0:icmp`). Well-known names come from `ServiceNames`; `localhost`,
/// `ip6-localhost` and `ip6-loopback` become 127.0.0.1 / ::1; anything else keeps its text
/// and the socket is flagged (`DataLoss.portIsAName`, `.addressIsAName`).
enum EndpointNames {
  /// What `normalise` did to one record, for the parser's notes.
  struct Outcome {
    var resolvedName = false
    var unresolvedName = false
  }

  /// Rewrites `record.local`/`peer` in place (IP kinds only: `hasPorts` or raw).
  @inline(__always)
  static func normalise(_ record: inout SocketRecord) -> Outcome {
    var outcome = Outcome()
    if record.proto == .raw {
      moveRawProtocol(&record)
      if var local = record.local {
        resolveAddress(&local, in: &record, &outcome)
        record.local = local
      }
      if var peer = record.peer {
        resolveAddress(&peer, in: &record, &outcome)
        record.peer = peer
      }
      return outcome
    }
    guard record.proto.hasPorts else { return outcome }
    if var local = record.local, needsWork(local) {
      resolve(&local, in: &record, &outcome)
      record.local = local
    }
    if var peer = record.peer, needsWork(peer) {
      resolve(&peer, in: &record, &outcome)
      record.peer = peer
    }
    if record.family == nil, let family = record.local?.address.family { record.family = family }
    return outcome
  }

  @inline(__always)
  static func needsWork(_ endpoint: Endpoint) -> Bool {
    if endpoint.serviceName != nil && endpoint.port == nil { return true }
    if case .text = endpoint.address { return true }
    return false
  }

  static func resolve(_ endpoint: inout Endpoint, in record: inout SocketRecord, _ outcome: inout Outcome) {
    if endpoint.port == nil, let name = endpoint.serviceName {
      if let port = ServiceNames.port(name, proto: record.proto) {
        endpoint.port = port
        outcome.resolvedName = true
      } else {
        record.dataLoss.insert(.portIsAName)
        outcome.unresolvedName = true
      }
    }
    resolveAddress(&endpoint, in: &record, &outcome)
  }

  static func resolveAddress(_ endpoint: inout Endpoint, in record: inout SocketRecord, _ outcome: inout Outcome) {
    guard case .text(let name) = endpoint.address else { return }
    switch name {
    case "localhost", "localhost.localdomain":
      // getnameinfo() names both 127.0.0.1 and ::1 `localhost` on Debian; the family decides.
      endpoint.address = record.family == .ipv6 ? .ipv6(IPv6Address(high: 0, low: 1)) : .ipv4(IPv4Address(127, 0, 0, 1))
      outcome.resolvedName = true
    case "ip6-localhost", "ip6-loopback":
      endpoint.address = .ipv6(IPv6Address(high: 0, low: 1))
      outcome.resolvedName = true
    default:
      record.dataLoss.insert(.addressIsAName)
      outcome.unresolvedName = true
    }
  }

  /// ss, netstat and /proc/net/raw print a raw socket's IP protocol where a port would be,
  /// as a number (`-n`) or a name (`icmp`, `ipv6-icmp`, `ipproto-255`).
  static func moveRawProtocol(_ record: inout SocketRecord) {
    guard var local = record.local else { return }
    if let port = local.port {
      if port <= 255 { record.ipProtocol = UInt8(port) }
    } else if let name = local.serviceName {
      if let number = ServiceNames.ipProtocol(name) {
        record.ipProtocol = number
        local.serviceName = nil
      } else {
        record.dataLoss.insert(.portIsAName)
      }
    }
    local.port = nil
    record.local = local
    if var peer = record.peer, peer.port == 0 || peer.serviceName != nil {
      peer.port = nil
      peer.serviceName = nil
      record.peer = peer
    }
  }

  /// Notes for a whole parse from the outcomes of its records.
  static func note(_ outcome: Outcome, into report: inout ParseReport) {
    if outcome.resolvedName {
      report.note("names where numbers belong (captured without -n/-P) were resolved from the built-in table of well-known services and localhost")
    }
    if outcome.unresolvedName {
      report.note("some ports or addresses are names the built-in table cannot resolve: those sockets are kept and flagged port-is-a-name / address-is-a-name; capture with -n (ss, netstat) or -nP (lsof)")
    }
  }
}

extension EndpointNames.Outcome {
  mutating func formUnion(_ other: EndpointNames.Outcome) {
    resolvedName = resolvedName || other.resolvedName
    unresolvedName = unresolvedName || other.unresolvedName
  }
}
