import FleetPortsCore

/// One host to scan, with every default already applied (inventory, then ssh_config,
/// then command-line flags, then built-in defaults).
public struct ScanTarget: Sendable, Hashable {
  public var name: String
  public var address: String
  public var port: Int
  public var user: String
  public var identityFile: String?
  public var groups: [String]
  public var sudo: Bool
  /// What ssh_config adds for this host (identities, agent, known_hosts, checking, …).
  public var connection = HostConnection()
  /// How the host is reached: directly, through jump hosts, or a ProxyCommand.
  public var route: ProxyRoute

  public init(
    name: String, address: String, port: Int, user: String, identityFile: String?, groups: [String], sudo: Bool, route: ProxyRoute = .direct
  ) {
    self.name = name
    self.address = address
    self.port = port
    self.user = user
    self.identityFile = identityFile
    self.groups = groups
    self.sudo = sudo
    self.route = route
  }

  /// Fills what the inventory left open from the command line's defaults.
  public init(
    _ host: InventoryHost, defaultUser: String, defaultPort: Int = 22, defaultIdentity: String?, defaultSudo: Bool,
    route: ProxyRoute = .direct
  ) {
    self.init(
      name: host.name, address: host.address, port: host.port ?? defaultPort, user: host.user ?? defaultUser,
      identityFile: host.identityFile ?? defaultIdentity, groups: host.groups, sudo: host.sudo ?? defaultSudo, route: route)
  }

  /// The key `ServerLimiter` counts by: one sshd, as reached from here. The same address
  /// behind two bastions is two servers; behind one bastion, one.
  var serverKey: String {
    let server = address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    switch route {
    case .direct: return server
    case .jump, .command: return "\(route.summary) \(server)"
    }
  }
}

extension ScanTarget {
  /// This target's row before or without a snapshot: its name, address, port, user and
  /// groups, with `status` and why.
  public func result(status: HostResult.Status, failure: HostResult.Failure? = nil) -> HostResult {
    HostResult(name: name, address: address, port: port, user: user, groups: groups, status: status, failure: failure)
  }

  /// A failed row with `code` and `message`.
  func failedResult(_ code: FailureCode, _ message: String) -> HostResult {
    result(status: .failed, failure: HostResult.Failure(code: code, message: message))
  }
}
