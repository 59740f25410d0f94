/// A listening socket with what the analysis worked out about it, once: its reach from the
/// bind address and the host's addresses, the service it runs, and its Unix file mode. Made
/// by `Listener.all(in:)` when a scan is analysed and stored in `HostResult.listeners`;
/// the rules, the aggregate, the history, the diff, every report and the terminal read it
/// and work none of it out again.
///
/// Later analysis (process identity, container, effective exposure through the firewall)
/// adds its fields here, so every consumer gets them from the same value.
///
/// In scan.json (docs/scan-json.md):
///
///     {"text": "tcp 0.0.0.0:5432", "socket": {…}, "reach": {"reach": "private-network", "basis": "…"},
///      "service": {"service": {…}, "basis": "process"}}
public struct Listener: Hashable, Sendable, Codable {
  /// The socket in the one spelling every output uses (`SocketText.socket`).
  public var text: String
  /// The socket as the probe saw it: protocol, bind, port, owners, uid, queues, Unix details.
  public var socket: SocketRecord
  /// How far the network reaches it; nil for Unix sockets (reachable on the host only).
  public var reach: ReachAssessment?
  /// The service it runs, recognised from its owner and port; nil when unknown.
  public var service: ServiceIdentification?
  /// A Unix socket's file mode and owner, where the probe read them.
  public var unixMode: UnixSocketMode?
  /// What a connection from outside meets through the host's firewall and NAT; nil for
  /// loopback and Unix listeners (not judged: nothing from outside reaches them).
  public var exposure: ListenerExposure?
  /// What a controller TCP connect met (`--verify-reach`); nil when not checked.
  public var reachCheck: ReachCheck?
  /// Host ports published into a container (`ContainerPublishing`): on a container's listener,
  /// those that lead to it; on the host's listener of a published port (docker-proxy), those it
  /// serves. Empty elsewhere; absent in old scan.json.
  public var publications: [PortPublication] = []
  /// Who its owner processes are (`ProcessIdentity`, one per owning pid the probe read), in
  /// `socket.processes` order; nil when the probe read none (older probe, no attribution).
  public var owners: [ProcessIdentity]?
  /// Set only on the sockets `udpClients(in:)` returns: why this UDP socket was judged a
  /// client's, not a server's (`UDPClientRule`). nil (absent) for every listener.
  public var udpClient: UDPClientJudgement?

  /// Works out one listener's facts. `hostAddresses` decide a wildcard's reach; `unixModes`
  /// are the snapshot's Unix socket modes by path.
  public init(_ socket: SocketRecord, hostAddresses: [InterfaceAddress], unixModes: [String: UnixSocketMode] = [:]) {
    text = SocketText.socket(socket)
    self.socket = socket
    if socket.proto.carriesIP, let local = socket.local {
      if let netns = socket.netns {
        reach = ListenerReach.assessInContainer(local.address, netns: netns, container: socket.container)
      } else {
        reach = ListenerReach.assess(local.address, hostAddresses: hostAddresses, v6Only: socket.ipv6Only)
      }
    }
    service = ServiceIdentifier.identify(socket)
    if let unix = socket.unix, !unix.isAbstract, let path = unix.path { unixMode = unixModes[path] }
  }

  /// Every listener of a snapshot, in `Listener.order`, with its exposure judged through the
  /// host's firewall (compiled once here for all of them).
  public static func all(in snapshot: HostSnapshot) -> [Listener] {
    let modes = Dictionary(snapshot.unixSocketModes.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    let judge = ExposureJudge(snapshot)
    let clients = UDPClientRule(snapshot)
    let byPID = processesByPID(snapshot)
    var listeners = snapshot.listeners.compactMap { socket -> Listener? in
      guard clients.judge(socket) == nil else { return nil }
      var listener = Listener(socket, hostAddresses: snapshot.addresses, unixModes: modes)
      listener.owners = identities(of: socket, in: byPID)
      listener.exposure = judge.exposure(of: listener)
      return listener
    }
    ContainerPublishing.join(&listeners, snapshot: snapshot, judge: judge)
    return listeners.sorted(by: order)
  }

  /// The network namespace, when not the host's own (a container's); `SocketRecord.netns`.
  public var netns: UInt64? { socket.netns }
  /// The container the listener runs in; `SocketRecord.container`.
  public var container: ContainerIdentity? { socket.container }

  /// `host 0.0.0.0:8080 → container web 172.17.0.2:80 (nginx)` for each publication; empty when none.
  public var publicationTexts: [String] {
    publications.map { $0.text(container: socket.netns == nil ? nil : container, owners: socket.netns == nil ? [] : ownerNames) }
  }

  /// The snapshot's UDP client sockets (`UDPClientRule`): unconnected UDP sockets that are
  /// not listeners, each with the rule's judgement; shown apart, never counted as exposure.
  public static func udpClients(in snapshot: HostSnapshot) -> [Listener] {
    let modes: [String: UnixSocketMode] = [:]
    let clients = UDPClientRule(snapshot)
    let byPID = processesByPID(snapshot)
    return snapshot.listeners.compactMap { socket in
      guard let judgement = clients.judge(socket) else { return nil }
      var listener = Listener(socket, hostAddresses: snapshot.addresses, unixModes: modes)
      listener.owners = identities(of: socket, in: byPID)
      listener.udpClient = judgement
      return listener
    }.sorted(by: order)
  }

  /// The snapshot's identities by pid; nil when the probe read none.
  static func processesByPID(_ snapshot: HostSnapshot) -> [Int32: ProcessIdentity]? {
    snapshot.processes.map { Dictionary($0.map { ($0.pid, $0) }, uniquingKeysWith: { first, _ in first }) }
  }

  /// The identities of `socket`'s owners, where the probe read them.
  static func identities(of socket: SocketRecord, in byPID: [Int32: ProcessIdentity]?) -> [ProcessIdentity]? {
    guard let byPID else { return nil }
    let found = socket.processes.compactMap { $0.pid.flatMap { byPID[$0] } }
    return found.isEmpty ? nil : found
  }

  public var proto: SocketProtocol { socket.proto }
  /// The local port; for a raw socket the IP protocol it receives (1 ICMP, 58 ICMPv6), which
  /// `ss -n` and /proc/net print in its place; nil for Unix sockets and where the tool printed `*`.
  public var port: UInt16? { SocketText.port(of: socket) }

  /// The bind address (`0.0.0.0`, `::`, `*`, `10.0.0.5`) or, for a Unix socket, its path
  /// (`@name` when abstract).
  public var bind: String { SocketText.bind(of: socket) }

  /// The user the owner process runs as (its effective user, from the probe's identity
  /// section: a postgres that bound as root and runs as `postgres` is `postgres`); where
  /// that was not read, the socket's user as the tool printed it or `uid 1000`; nil when unknown.
  public var user: String? { processUser ?? SocketText.user(socket) }

  /// The owners' effective users, each once, comma-separated; nil without identities.
  public var processUser: String? {
    let names = (owners ?? []).compactMap(\.userText)
    guard !names.isEmpty else { return nil }
    return Array(Set(names)).sorted().joined(separator: ", ")
  }

  /// The socket's own user (the uid that created it, from /proc/net) where it differs from
  /// `user`, e.g. `root` for a daemon that bound as root and then dropped to its user. Named
  /// `root`, by an owner's uid name, else `uid N`; nil where the same or not known.
  public var socketUser: String? {
    guard let processUser else { return nil }
    let text: String?
    if let uid = socket.uid {
      let names = (owners ?? []).flatMap { [($0.realUID, $0.realUser), ($0.effectiveUID, $0.effectiveUser)] }
      text = uid == 0 ? "root" : names.first { $0.0 == uid && $0.1 != nil }?.1 ?? "uid \(uid)"
    } else {
      text = SocketText.user(socket)
    }
    guard let text, text != processUser else { return nil }
    return text
  }

  /// Owner process names, each once, sorted (no pids: a restart is no change).
  public var ownerNames: [String] { Array(Set(socket.processes.map(\.name))).sorted() }

  /// The owners' identities across scans, each once, sorted (`OwnerKey`: executable, unit,
  /// container); for owners without an identity, their name alone.
  public var ownerKeys: [OwnerKey] {
    var keys = Set((owners ?? []).map(\.key))
    let known = Set((owners ?? []).map(\.pid))
    for process in socket.processes where process.pid.map({ !known.contains($0) }) ?? true {
      keys.insert(OwnerKey(executable: nil, unit: nil, container: nil, comm: process.name))
    }
    return keys.sorted()
  }

  /// Owners whose executable was deleted or replaced since they started.
  public var deletedExecutables: [ProcessIdentity] { (owners ?? []).filter { $0.executableDeleted == true } }

  /// `postgres (812), postgres (813)`; empty when no owner is known.
  public var ownersWithPIDs: String {
    socket.processes.map { process in process.pid.map { "\(process.name) (\($0))" } ?? process.name }.joined(separator: ", ")
  }

  /// `tcp 0.0.0.0:5432, owned by postgres (pid 812, /usr/lib/postgresql/15/bin/postgres,
  /// postgresql.service), user postgres, socket uid 0 (root)`: a finding's evidence.
  public var described: String {
    var text = self.text + ", " + SocketText.owners(socket)
    let details = (owners ?? []).map { owner in
      [owner.executable.map { $0 + (owner.executableDeleted == true ? " (deleted)" : "") }, owner.unit].compactMap { $0 }
    }.filter { !$0.isEmpty }
    if !details.isEmpty { text += " [" + details.map { $0.joined(separator: ", ") }.joined(separator: "; ") + "]" }
    if let processUser { text += ", user \(processUser)" }
    if let uid = socket.uid {
      text += ", socket uid \(uid)" + (uid == 0 ? " (root)" : "")
    } else if processUser == nil, let user = socket.user {
      text += ", user \(user)"
    }
    if let netns = socket.netns {
      text +=
        ", in "
        + (container.map { "container \($0.label)" + ($0.name != nil ? " (\($0.runtime.rawValue) \($0.shortID ?? "-"))" : "") + ", " } ?? "")
      text += "network namespace \(netns)"
    }
    for publication in publicationTexts { text += "; " + publication }
    return text
  }

  /// The listener as a finding names it.
  public var findingSocket: FindingSocket {
    var socket = FindingSocket(proto: proto, address: bind, port: port, processes: self.socket.processes.map(\.name), user: user, reach: reach?.reach)
    socket.exposure = exposure?.kind
    socket.exposureSummary = exposure?.summary
    return socket
  }

  /// By protocol (`SocketProtocol.displayRank`: TCP, UDP, …, Unix last), then port, then bind (natural order).
  public static func order(_ a: Listener, _ b: Listener) -> Bool {
    if a.proto != b.proto { return a.proto.displayRank < b.proto.displayRank }
    if a.port != b.port { return (a.port ?? 0) < (b.port ?? 0) }
    return NaturalOrder.areInIncreasingOrder(a.bind, b.bind)
  }
}

extension HostResult {
  /// The host's listeners: those the analysis stored, or (for a scan.json written before
  /// listeners were stored) the same values worked out from the snapshot. Empty without one.
  public var analysedListeners: [Listener] {
    if let listeners { return listeners }
    return snapshot.map(Listener.all(in:)) ?? []
  }
}

extension Listener {
  enum CodingKeys: String, CodingKey {
    case text, socket, reach, service, unixMode, exposure, reachCheck, publications, owners, udpClient
  }

  /// `publications`, `owners` and `udpClient` came later within schema 1: older files read as
  /// none.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    text = try container.decode(String.self, forKey: .text)
    socket = try container.decode(SocketRecord.self, forKey: .socket)
    reach = try container.decodeIfPresent(ReachAssessment.self, forKey: .reach)
    service = try container.decodeIfPresent(ServiceIdentification.self, forKey: .service)
    unixMode = try container.decodeIfPresent(UnixSocketMode.self, forKey: .unixMode)
    exposure = try container.decodeIfPresent(ListenerExposure.self, forKey: .exposure)
    reachCheck = try container.decodeIfPresent(ReachCheck.self, forKey: .reachCheck)
    publications = try container.decodeIfPresent([PortPublication].self, forKey: .publications) ?? []
    owners = try container.decodeIfPresent([ProcessIdentity].self, forKey: .owners)
    udpClient = try container.decodeIfPresent(UDPClientJudgement.self, forKey: .udpClient)
  }

  /// Writes `publications` only when there are some, so scan.json of hosts without containers is unchanged.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(text, forKey: .text)
    try container.encode(socket, forKey: .socket)
    try container.encodeIfPresent(reach, forKey: .reach)
    try container.encodeIfPresent(service, forKey: .service)
    try container.encodeIfPresent(unixMode, forKey: .unixMode)
    try container.encodeIfPresent(exposure, forKey: .exposure)
    try container.encodeIfPresent(reachCheck, forKey: .reachCheck)
    if !publications.isEmpty { try container.encode(publications, forKey: .publications) }
    try container.encodeIfPresent(owners, forKey: .owners)
    try container.encodeIfPresent(udpClient, forKey: .udpClient)
  }
}
