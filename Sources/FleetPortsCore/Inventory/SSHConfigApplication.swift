/// An inventory after ssh_config filled what it left unset, with what ssh_config said
/// about each host (its ProxyJump and ProxyCommand become routes in `ProxyRouteResolver`).
public struct ConfiguredInventory: Sendable, Hashable {
  public var inventory: Inventory
  /// One for each host, in the inventory's order (IdentityFile beyond the first,
  /// StrictHostKeyChecking and UserKnownHostsFile are read from here).
  public var resolutions: [SSHConfigResolution]

  /// Hosts ssh_config sets up with an option fleetports cannot follow (Match exec,
  /// AddressFamily inet6, …): the host's name and why it is refused, naming file:line.
  /// (ProxyJump and ProxyCommand are followed: see `ProxyRouteResolver`.)
  public var refusals: [(name: String, message: String)] {
    zip(inventory.hosts, resolutions).compactMap { host, resolution in
      resolution.unsupportedOptionMessage.map { (host.name, $0) }
    }
  }

  public init(inventory: Inventory, resolutions: [SSHConfigResolution]) {
    self.inventory = inventory
    self.resolutions = resolutions
  }
}

extension InventoryHost {
  /// This host with ssh_config's values where the inventory set none: `HostName`
  /// replaces the address only while it is still the name (no `ansible_host`);
  /// User, Port and the first IdentityFile fill only nil fields.
  public func applying(_ resolution: SSHConfigResolution) -> InventoryHost {
    var host = self
    if host.address == host.name, let hostName = resolution.hostName { host.address = hostName }
    if host.user == nil { host.user = resolution.user }
    if host.port == nil { host.port = resolution.port }
    if host.identityFile == nil { host.identityFile = resolution.identityFiles.first }
    return host
  }
}

extension Inventory {
  /// Looks every host's name up in `config` (as `ssh name` would, the inventory's user and
  /// port counting as given on ssh's command line) and fills what the inventory left unset.
  /// `local` expands `~`, `%d`, `%u`, … in file paths and answers `Match localuser`.
  public func applying(_ config: SSHConfig, local: SSHLocalContext?) -> ConfiguredInventory {
    let resolutions = hosts.map { config.resolve(alias: $0.name, local: local, user: $0.user, port: $0.port) }
    let filled = zip(hosts, resolutions).map { host, resolution in host.applying(resolution) }
    return ConfiguredInventory(inventory: Inventory(hosts: filled), resolutions: resolutions)
  }

  /// `applying(_:local:)` with only a home directory known.
  public func applying(_ config: SSHConfig, homeDirectory: String? = nil) -> ConfiguredInventory {
    applying(config, local: homeDirectory.map { SSHLocalContext(home: $0) })
  }
}
