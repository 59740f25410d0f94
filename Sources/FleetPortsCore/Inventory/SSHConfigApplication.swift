/// An inventory after ssh_config filled what it left unset, with what ssh_config said
/// about each host (its ProxyJump and ProxyCommand become routes in `ProxyRouteResolver`).
public struct ConfiguredInventory: Sendable, Hashable {
  public var inventory: Inventory
  /// One for each host, in the inventory's order (IdentityFile beyond the first,
  /// StrictHostKeyChecking and UserKnownHostsFile are read from here).
  public var resolutions: [SSHConfigResolution]

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
  /// Looks every host's name up in `config` (as `ssh name` would) and fills what the
  /// inventory left unset. `homeDirectory` expands `~` in IdentityFile paths.
  public func applying(_ config: SSHConfig, homeDirectory: String? = nil) -> ConfiguredInventory {
    let resolutions = hosts.map { config.resolve(alias: $0.name, homeDirectory: homeDirectory) }
    let filled = zip(hosts, resolutions).map { host, resolution in host.applying(resolution) }
    return ConfiguredInventory(inventory: Inventory(hosts: filled), resolutions: resolutions)
  }
}
