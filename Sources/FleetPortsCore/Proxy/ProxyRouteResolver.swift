/// Works out a host's `ProxyRoute` the way `ssh` does:
/// - `-J` from the inventory wins over ssh_config (`ssh -J` wins over the config file);
///   then ssh_config's ProxyJump, then its ProxyCommand (whichever came first there; the
///   resolution already keeps only that one); `none` means direct.
/// - Each jump host's name is looked up in ssh_config as `ssh` would (HostName, User, Port,
///   IdentityFile); a `user@` or `:port` in the list wins over the config.
/// - Only the first hop's own ProxyJump applies, prepended: OpenSSH turns `-J a,b,c` into
///   `ssh -J a,b -W %h:%p c`, so hops 2…n are reached through the list, while hop 1 is
///   connected as `ssh a` would connect it, with its own ProxyJump.
public struct ProxyRouteResolver: Sendable {
  /// The most jump hosts one route may chain (loops in ssh_config end here).
  public static let maxHops = 8

  public var config: SSHConfig
  /// The user for hops ssh_config gives none (the scan's default user).
  public var defaultUser: String
  /// Expands `~` and `%d` in the hops' IdentityFile paths.
  public var homeDirectory: String?

  public init(config: SSHConfig, defaultUser: String, homeDirectory: String? = nil) {
    self.config = config
    self.defaultUser = defaultUser
    self.homeDirectory = homeDirectory
  }

  /// The route to a host.
  /// - Parameters:
  ///   - resolution: what ssh_config says for the host's alias.
  ///   - inventoryJump: the inventory's `-J` value for the host (`none` allowed); nil: unset.
  ///   - host: the address connected to (the target's final value, for ProxyCommand's `%h`).
  ///   - port: the target's SSH port (`%p`).
  ///   - user: the target's login user (`%r`).
  /// - Returns: `.direct`, `.jump` with every hop resolved, or `.command` expanded.
  /// - Throws: `ProxyRouteError` for a malformed list, a loop, a ProxyCommand on a jump
  ///   host, or an unknown ProxyCommand token.
  public func route(
    for resolution: SSHConfigResolution, inventoryJump: String?, host: String, port: Int, user: String
  ) throws(ProxyRouteError) -> ProxyRoute {
    if let inventoryJump {
      return try jumpRoute(inventoryJump, alias: resolution.alias)
    }
    if let jump = resolution.proxyJump {
      return try jumpRoute(jump, alias: resolution.alias)
    }
    if let command = resolution.proxyCommand {
      let line = try ProxyCommandLine.expand(command, host: host, port: port, user: user, alias: resolution.alias)
      return .command(line: line, template: command)
    }
    return .direct
  }

  /// The hops of `list` (or `.direct` for `none`), each resolved through ssh_config.
  func jumpRoute(_ list: String, alias: String) throws(ProxyRouteError) -> ProxyRoute {
    if list.trimmingWhitespace().lowercased() == "none" { return .direct }
    let hops = try hops(list, alias: alias, depth: 0)
    return hops.isEmpty ? .direct : .jump(hops)
  }

  private func hops(_ list: String, alias: String, depth: Int) throws(ProxyRouteError) -> [JumpHop] {
    let specs = try JumpSpec.parseList(list)
    var hops: [JumpHop] = []
    for (index, spec) in specs.enumerated() {
      let resolution = config.resolve(alias: spec.host, homeDirectory: homeDirectory)
      if index == 0 {
        if let earlier = resolution.proxyJump {
          guard depth < Self.maxHops else { throw .tooManyHops(alias: alias, limit: Self.maxHops) }
          hops += try self.hops(earlier, alias: alias, depth: depth + 1)
        } else if let command = resolution.proxyCommand {
          throw .proxyCommandOnJumpHost(jump: spec.host, command: command)
        }
      }
      hops.append(
        JumpHop(
          name: spec.host, address: resolution.hostName ?? spec.host, port: spec.port ?? resolution.port ?? 22,
          user: spec.user ?? resolution.user ?? defaultUser, identityFiles: resolution.identityFiles))
    }
    guard hops.count <= Self.maxHops else { throw .tooManyHops(alias: alias, limit: Self.maxHops) }
    return hops
  }
}
