/// Which service a listener runs, and what that judgement rests on.
public struct ServiceIdentification: Hashable, Sendable, Codable {
  /// How the service was recognised, from strongest to weakest.
  public enum Basis: String, Hashable, Sendable, Codable {
    /// The owning process's name is the service's.
    case process
    /// The owner is a generic runtime (java, python3, docker-proxy) and the port is the service's.
    case runtimeAndPort = "runtime-and-port"
    /// No owner is known; the port is the service's usual one.
    case port
  }

  public var service: KnownService
  public var basis: Basis

  public init(service: KnownService, basis: Basis) {
    self.service = service
    self.basis = basis
  }

  /// For evidence: `postgres (process postgres)`, `ntp (port 123, owner unknown)`.
  public var summary: String {
    switch basis {
    case .process: return "\(service.name) (by process name)"
    case .runtimeAndPort: return "\(service.name) (by port; the owner is a generic runtime)"
    case .port: return "\(service.name) (by port alone; the owner is unknown)"
    }
  }
}

/// Recognises services. The process name wins when it is known: a port alone names a service
/// only when no owner is known (or the owner is a generic runtime), so `nginx` on 5432 is
/// never called postgres.
public enum ServiceIdentifier {
  public static func identify(_ socket: SocketRecord, catalog: [KnownService] = ServiceCatalog.services) -> ServiceIdentification? {
    let port = socket.local?.port
    let names = socket.processes.map { normalizedName($0.name) }
    let truncated = socket.dataLoss.contains(.processNameMayBeTruncated)
    for name in names {
      for service in catalog where service.processes.contains(where: { matches(name, $0, truncated: truncated) }) {
        if service.processNeedsPort {
          guard let port, service.ports(socket.proto).contains(port) else { continue }
        }
        return ServiceIdentification(service: service, basis: .process)
      }
    }
    guard let port else { return nil }
    let runtimeOwned = !names.isEmpty && names.allSatisfy(isGenericRuntime)
    guard names.isEmpty || runtimeOwned else { return nil }
    guard let service = catalog.first(where: { $0.ports(socket.proto).contains(port) }) else { return nil }
    return ServiceIdentification(service: service, basis: runtimeOwned ? .runtimeAndPort : .port)
  }

  /// A process name without the title a daemon appends (`sshd: /usr/sbin/sshd [listener]`,
  /// `postgres: checkpointer`) or the path netstat may print.
  public static func normalizedName(_ name: String) -> String {
    var text = Substring(name)
    if let colon = text.indices.first(where: { text[$0] == ":" && text.index(after: $0) < text.endIndex && text[text.index(after: $0)] == " " }) {
      text = text[..<colon]
    }
    if text.hasSuffix(":") { text = text.dropLast() }
    if let slash = text.lastIndex(of: "/"), !text.hasPrefix("[") { text = text[text.index(after: slash)...] }
    return String(text)
  }

  public static func isGenericRuntime(_ name: String) -> Bool {
    ServiceCatalog.genericRuntimes.contains(name) || name.hasPrefix("python") || name.hasPrefix("java")
  }

  /// Exact match, or a prefix match when the tool may have cut the name (the kernel keeps 15 bytes of `comm`).
  static func matches(_ name: String, _ candidate: String, truncated: Bool) -> Bool {
    if name == candidate { return true }
    return (truncated || name.utf8.count == 15) && name.count >= 4 && candidate.hasPrefix(name)
  }
}

extension ServiceIdentification {
  enum CodingKeys: String, CodingKey {
    case name, category, basis
  }

  /// In scan.json: `{"name": "postgres", "category": "datastore", "basis": "process"}`; the
  /// catalog entry behind the name is the tool's own, not repeated in every listener.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(service.name, forKey: .name)
    try container.encode(service.category, forKey: .category)
    try container.encode(basis, forKey: .basis)
  }

  /// Reads the short form back; a name this version's catalog does not know (a newer
  /// fleetports wrote it) keeps its name and category.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let name = try container.decode(String.self, forKey: .name)
    let category = try container.decode(ServiceCategory.self, forKey: .category)
    basis = try container.decode(Basis.self, forKey: .basis)
    service = ServiceCatalog.services.first { $0.name == name } ?? KnownService(name: name, category: category, processes: [])
  }
}
