/// What a TCP connect from the controller met, checked against the listener's judged exposure
/// (`--verify-reach`): the outside view checking the inside one. `Listener.reachCheck`.
public struct ReachCheck: Hashable, Sendable, Codable {
  /// The address and port connected to.
  public var address: String
  public var port: UInt16
  /// True when the handshake completed within the timeout.
  public var connected: Bool
  /// The exposure judged from the rules (`open` or `blocked`: the two a connect can confirm).
  public var judged: ListenerExposure.Kind
  /// True when the connect met what the exposure says (open: connected; blocked: not).
  public var agrees: Bool

  public init(address: String, port: UInt16, connected: Bool, judged: ListenerExposure.Kind) {
    self.address = address
    self.port = port
    self.connected = connected
    self.judged = judged
    agrees = connected == (judged == .open)
  }
}

/// Which listeners `--verify-reach` connects to: pure, so the bounds are tested without a network.
public enum ReachCheckPlan {
  /// One connect to make: the host's and the listener's index in the scan, where to connect.
  public struct Target: Hashable, Sendable {
    public var host: Int
    public var listener: Int
    public var address: String
    public var port: UInt16
  }

  /// For each scanned host, at most `perHost` TCP listeners beyond loopback judged `open` or
  /// `blocked`, connected to at the listener's own address or, for a wildcard, the host's
  /// inventory address when it is a literal IP address of the listener's family (names are not
  /// resolved here: the check must reach the host the scan logged into, not whatever a
  /// resolver says); an IPv6-only wildcard on a host addressed by IPv4 is tried on the host's
  /// first global IPv6 address.
  public static func targets(_ scan: ScanResult, perHost: Int = 16) -> [Target] {
    var result: [Target] = []
    for (hostIndex, host) in scan.hosts.enumerated() where host.status == .ok {
      var taken = 0
      for (index, listener) in (host.listeners ?? []).enumerated() where taken < perHost {
        // A container's listener is reached through its published host port, checked on the host's listener.
        guard listener.netns == nil, listener.proto == .tcp, let port = listener.port, let kind = listener.exposure?.kind,
          kind == .open || kind == .blocked,
          let local = listener.socket.local
        else { continue }
        let address: String
        switch local.address {
        case .wildcard(let family):
          // An IPv6 wildcard is tried on the host's IPv6 address unless it is known to take IPv4
          // too: a v6-only socket answers only there, and a dual-stack one answers there as well,
          // so an unknown IPV6_V6ONLY (/proc/net, netstat, lsof) cannot make a false disagreement.
          let v6Only = family == .ipv6 && listener.socket.ipv6Only != false
          if v6Only && !host.address.contains(":") {
            guard let v6 = host.snapshot.flatMap({ globalIPv6($0.addresses) }) else { continue }
            address = v6
          } else if family == .ipv4 && host.address.contains(":") {
            continue
          } else {
            guard isLiteral(host.address) else { continue }
            address = host.address
          }
        case .ipv4(let v4, _), .ipv4Mapped(let v4):
          address = v4.description
        case .ipv6(let v6, let zone):
          // A link-local address needs its interface, which a connect from here cannot name.
          guard zone == nil, ListenerReach.reach(of: local.address) != .linkLocal else { continue }
          address = v6.description
        case .text:
          continue
        }
        result.append(Target(host: hostIndex, listener: index, address: address, port: port))
        taken += 1
      }
    }
    return result
  }

  /// The host's first IPv6 address that is neither loopback nor link-local.
  static func globalIPv6(_ addresses: [InterfaceAddress]) -> String? {
    for entry in addresses where entry.interface != "lo" {
      guard case .ipv6(let v6, _) = entry.address, !v6.isLoopback, !v6.description.lowercased().hasPrefix("fe80") else { continue }
      return v6.description
    }
    return nil
  }

  /// True for a dotted IPv4 or an IPv6 literal.
  static func isLiteral(_ text: String) -> Bool {
    if IPv4Address(Substring(text)) != nil { return true }
    return text.contains(":") && IPv6Address(Substring(text)) != nil
  }

  /// The scan with each target's result recorded on its listener, and a note for every
  /// disagreement (the rules and the network say different things).
  public static func record(_ results: [(Target, Bool)], in scan: ScanResult) -> ScanResult {
    var copy = scan
    var disagreements: [String] = []
    for (target, connected) in results {
      guard var listeners = copy.hosts[target.host].listeners, listeners.indices.contains(target.listener),
        let kind = listeners[target.listener].exposure?.kind
      else { continue }
      let check = ReachCheck(address: target.address, port: target.port, connected: connected, judged: kind)
      listeners[target.listener].reachCheck = check
      copy.hosts[target.host].listeners = listeners
      if !check.agrees {
        disagreements.append(
          "\(copy.hosts[target.host].name) \(listeners[target.listener].text): judged \(kind.rawValue) but a connect to "
            + "\(target.address):\(target.port) \(connected ? "succeeded" : "failed")")
      }
    }
    copy.analysisNotes.append(
      "--verify-reach: \(results.count) connect(s), \(results.count - disagreements.count) agree with the judged exposure"
        + (disagreements.isEmpty ? "" : "; disagree: " + disagreements.prefix(20).joined(separator: "; ")))
    return copy
  }
}
