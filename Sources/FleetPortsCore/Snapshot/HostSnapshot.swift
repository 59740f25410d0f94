/// Everything one probe learned about one host: its sockets (from /proc/net, with owners
/// from the attribution tool), addresses, counters, and how much of it can be trusted.
public struct HostSnapshot: Hashable, Sendable, Codable {
  public var meta: ProbeMeta
  public var addresses: [InterfaceAddress]
  public var sockets: [SocketRecord]
  public var unixSocketModes: [UnixSocketMode]
  public var counters: KernelCounters
  public var provenance: Provenance
  /// The packet filter's rules or why there are none; nil in scan.json written before the
  /// firewall was collected (read as "firewall unknown").
  public var firewall: FirewallSnapshot?
  /// The host's other network namespaces (containers) and the ports published into them;
  /// nil in scan.json written before namespaces were read, and from a probe that printed none.
  /// Their sockets are in `sockets`, each with its `netns`.
  public var namespaces: NamespaceScan?
  /// Who the socket owners are (the `proc-ids` section), one per pid the attribution tool
  /// named; nil in scan.json written before the probe read them, or when the host printed none.
  public var processes: [ProcessIdentity]?
  /// The host's ephemeral port range (`ip_local_port_range`); nil where unread.
  public var ephemeralPorts: PortRange?

  public init(
    meta: ProbeMeta, addresses: [InterfaceAddress], sockets: [SocketRecord], unixSocketModes: [UnixSocketMode],
    counters: KernelCounters, provenance: Provenance, firewall: FirewallSnapshot? = nil, namespaces: NamespaceScan? = nil,
    processes: [ProcessIdentity]? = nil, ephemeralPorts: PortRange? = nil
  ) {
    self.firewall = firewall
    self.namespaces = namespaces
    self.processes = processes
    self.ephemeralPorts = ephemeralPorts
    self.meta = meta
    self.addresses = addresses
    self.sockets = sockets
    self.unixSocketModes = unixSocketModes
    self.counters = counters
    self.provenance = provenance
  }

  /// Sockets that accept traffic: TCP listeners, bound datagram sockets, listening Unix sockets.
  public var listeners: [SocketRecord] { sockets.filter(\.isListening) }
}

/// The file mode and owner of a listening Unix socket's path.
public struct UnixSocketMode: Hashable, Sendable, Codable {
  public var path: String
  /// Octal permission bits as `stat` prints them, e.g. `666`.
  public var mode: String
  public var owner: String

  public init(path: String, mode: String, owner: String) {
    self.path = path
    self.mode = mode
    self.owner = owner
  }

  public var isWorldWritable: Bool {
    guard let bits = Int(mode, radix: 8) else { return false }
    return bits & 0o002 != 0
  }
}

/// Where a snapshot's facts came from and what is missing.
public struct Provenance: Hashable, Sendable, Codable {
  /// How completely sockets are tied to processes.
  public enum Attribution: String, Hashable, Sendable, Codable {
    /// Every socket the kernel listed was looked up (root, tool ran).
    case complete
    /// Some owners could not be seen (not root, or the tool failed for some).
    case partial
    /// No attribution tool ran: sockets without processes.
    case none
  }

  /// What one section of the probe produced.
  public struct SectionReport: Hashable, Sendable, Codable {
    public var name: String
    public var exitCode: Int32?
    public var bytes: Int
    public var truncated: Bool
    public var complete: Bool
    public var linesRead: Int
    public var linesNotUnderstood: Int
    public var firstProblems: [UnparsedLine]
  }

  public var method: ProbeMethod?
  public var attribution: Attribution
  public var isRoot: Bool
  /// `/proc/net` was read, so the socket list is the kernel's own.
  public var kernelTablesRead: Bool
  public var toolVersions: [String: String]
  public var sections: [SectionReport]
  public var problems: [String]
  /// Why this snapshot may be missing sockets (a kernel table cut or unreadable, the probe's
  /// output cut off); empty when the probe ran whole. A degraded host is not a clean result.
  public var degraded: [String]

  public var isDegraded: Bool { !degraded.isEmpty }
}

extension Provenance {
  enum CodingKeys: String, CodingKey {
    case method, attribution, isRoot, kernelTablesRead, toolVersions, sections, problems, degraded
  }

  /// `degraded` came later within schema 1; older files read as not degraded.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    method = try container.decodeIfPresent(ProbeMethod.self, forKey: .method)
    attribution = try container.decode(Attribution.self, forKey: .attribution)
    isRoot = try container.decode(Bool.self, forKey: .isRoot)
    kernelTablesRead = try container.decode(Bool.self, forKey: .kernelTablesRead)
    toolVersions = try container.decode([String: String].self, forKey: .toolVersions)
    sections = try container.decode([SectionReport].self, forKey: .sections)
    problems = try container.decode([String].self, forKey: .problems)
    degraded = try container.decodeIfPresent([String].self, forKey: .degraded) ?? []
  }
}
