/// One scanned host as the rules see it: its snapshot, its policy, and each listener with
/// its reach and service worked out once.
public struct HostContext: Sendable {
  public var name: String
  public var groups: [String]
  public var snapshot: HostSnapshot
  public var policy: EffectivePolicy
  /// Whether a policy file was given (rules about allowances only run with one).
  public var hasPolicy: Bool
  public var listeners: [ListenerFacts]

  public init(name: String, groups: [String], snapshot: HostSnapshot, policy: EffectivePolicy, hasPolicy: Bool) {
    self.name = name
    self.groups = groups
    self.snapshot = snapshot
    self.policy = policy
    self.hasPolicy = hasPolicy
    self.listeners = snapshot.listeners.map { ListenerFacts($0, hostAddresses: snapshot.addresses) }
  }

  /// IP listeners with a port (TCP, UDP, SCTP, MPTCP, DCCP: `SocketProtocol.hasPorts`).
  public var ipListeners: [ListenerFacts] { listeners.filter { $0.reach != nil && $0.port != nil } }

  func finding(_ rule: RuleInfo, severity: Severity? = nil, socket: FindingSocket?, evidence: String, fix: String) -> Finding {
    Finding(ruleID: rule.id, severity: severity ?? rule.severity, title: rule.title, host: name, socket: socket, evidence: evidence, fix: fix)
  }
}

/// A listener with what the analysis learned about it.
public struct ListenerFacts: Hashable, Sendable {
  public var socket: SocketRecord
  /// nil for sockets without ports (`SocketProtocol.hasPorts` false: Unix, raw, other).
  public var reach: ReachAssessment?
  public var service: ServiceIdentification?

  public init(_ socket: SocketRecord, hostAddresses: [InterfaceAddress]) {
    self.socket = socket
    if socket.proto.hasPorts, let local = socket.local {
      reach = ListenerReach.assess(local.address, hostAddresses: hostAddresses, v6Only: socket.ipv6Only)
    }
    service = ServiceIdentifier.identify(socket)
  }

  public var port: UInt16? { socket.local?.port }
  public var proto: SocketProtocol { socket.proto }

  /// `root`, a user name a tool printed, or `uid 1000`; nil when unknown.
  public var user: String? { SocketText.user(socket) }

  public var findingSocket: FindingSocket {
    FindingSocket(
      proto: socket.proto, address: address, port: port, processes: socket.processes.map(\.name), user: user, reach: reach?.reach)
  }

  /// The bind address, or for a Unix socket its path (`@name` when abstract).
  public var address: String {
    if let unix = socket.unix { return unix.isAbstract ? "@\(unix.path ?? "")" : (unix.path ?? "(unbound)") }
    return socket.local.map { "\($0.address)" } ?? "?"
  }

  /// `tcp 0.0.0.0:5432 owned by postgres (pid 812) as uid 0`.
  public var described: String {
    var text = "\(socket.proto.rawValue) "
    text += socket.unix == nil ? (socket.local.map(\.description) ?? "?") : address
    text += ", " + SocketText.owners(socket)
    if let uid = socket.uid {
      text += ", socket uid \(uid)" + (uid == 0 ? " (root)" : "")
    } else if let user = socket.user {
      text += ", user \(user)"
    }
    return text
  }
}

/// Wording shared by the rules.
enum SocketText {
  static func user(_ socket: SocketRecord) -> String? {
    if let user = socket.user { return user }
    guard let uid = socket.uid else { return nil }
    return uid == 0 ? "root" : "uid \(uid)"
  }

  static func owners(_ socket: SocketRecord) -> String {
    guard !socket.processes.isEmpty else { return "owner unknown" }
    let names = socket.processes.prefix(3).map { process in
      process.pid.map { "\(process.name) (pid \($0))" } ?? process.name
    }
    let more = socket.processes.count > 3 ? " and \(socket.processes.count - 3) more" : ""
    return "owned by " + names.joined(separator: ", ") + more
  }
}
