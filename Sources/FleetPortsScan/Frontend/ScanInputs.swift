import FleetPortsCore
import FleetPortsSSH
import Foundation

/// Reads and checks everything a scan needs before any host is contacted: the inventory and
/// ssh_config (errors as `file:line: …`), identities, known_hosts and the policy.
public enum ScanInputs {
  /// The plan for `request`. `home` is the user's home folder (for `~/.ssh/…` defaults) and
  /// `environment` the process environment (USER, SSH_AUTH_SOCK, the passphrase variable).
  /// - Throws: `ScanInputError` naming the file that cannot be used and why.
  public static func load(_ request: ScanRequest, home: String, environment: [String: String]) throws(ScanInputError) -> ScanPlan {
    let policy = try loadPolicy(request.policy)
    let defaultUser = request.user ?? environment["USER"] ?? NSUserName()
    let (targets, refused) = try loadTargets(request, home: home, defaultUser: defaultUser)
    guard !targets.isEmpty || !refused.isEmpty else { throw ScanInputError("\(request.inventory) lists no hosts") }

    let knownHostsPath = request.knownHosts ?? "\(home)/.ssh/known_hosts"
    let knownHosts: KnownHostsStore
    do {
      knownHosts = try KnownHostsStore(path: knownHostsPath)
    } catch {
      throw ScanInputError("cannot read known_hosts \(knownHostsPath): \(error.localizedDescription)")
    }
    var passphrase: String?
    if let name = request.passphraseEnv {
      guard let value = environment[name] else {
        throw ScanInputError("--passphrase-env \(name): the environment has no variable \(name); export it first")
      }
      passphrase = value
    }
    let rules = IdentityFiles.Rules(passphrase: passphrase, allowOpenKeyFiles: request.allowOpenKeyFiles)
    let agentSocket = request.noAgent ? nil : environment["SSH_AUTH_SOCK"]
    let defaultPaths = request.identities.isEmpty ? ["id_ed25519", "id_ecdsa", "id_rsa"].map { "\(home)/.ssh/\($0)" } : request.identities
    var defaultIdentities: [SSHIdentity] = []
    for path in defaultPaths {
      do throws(ScanInputError) {
        if let identity = try IdentityFiles.load(path, rules: rules) {
          defaultIdentities.append(identity)
        } else if !request.identities.isEmpty {
          throw ScanInputError("cannot read identity \(path)")
        }
      } catch {
        // A default key nobody named, with an agent to fall back on: OpenSSH would ask for its
        // passphrase; the scan leaves it to the agent, which usually holds it.
        if request.identities.isEmpty && agentSocket != nil && !error.message.hasPrefix("UNPROTECTED") { continue }
        throw error
      }
    }
    // Hosts' own `key=` files, read once for the whole scan; one that cannot be read fails only its hosts.
    var perHost: [String: SSHIdentity] = [:]
    for path in Set(targets.compactMap(\.identityFile)) {
      if let identity = try IdentityFiles.load(path, rules: rules) { perHost[path] = identity }
    }
    // Jump hosts' IdentityFiles from ssh_config; one that is absent leaves the hop to the defaults.
    for path in Set(targets.flatMap { $0.route.jumpIdentityFiles }) where perHost[path] == nil {
      if let identity = try IdentityFiles.load(path, rules: rules) { perHost[path] = identity }
    }
    let deadline = Duration.milliseconds(Int64(request.timeoutSeconds * 1000))
    let scanner = FleetScanner(
      knownHosts: knownHosts, checking: request.hostKeyChecking, identities: perHost, defaultIdentities: defaultIdentities,
      agentSocket: agentSocket, method: request.method, parallel: request.parallel, perServer: request.perServer,
      deadlines: SSHDeadlines(connect: min(deadline, .seconds(10)), handshakeAndAuth: deadline, command: deadline),
      channelsPerJump: request.channelsPerJump)
    let options = ScanOptions(
      inventory: request.inventory, method: request.method, sudo: request.sudo, parallel: request.parallel,
      timeoutSeconds: request.timeoutSeconds, hostKeyChecking: request.hostKeyChecking.rawValue)
    return ScanPlan(source: .fleet(scanner: scanner, targets: targets, refused: refused), options: options, policy: policy)
  }

  /// The plan for `fleetports local`: this machine, the probe through `/bin/sh`.
  /// - Throws: `ScanInputError` for a policy that cannot be used.
  public static func local(method: ProbeMethod, policy path: String?) throws(ScanInputError) -> ScanPlan {
    let options = ScanOptions(inventory: "(local)", method: method, sudo: false, parallel: 1, timeoutSeconds: 0, hostKeyChecking: "n/a")
    return ScanPlan(source: .local(method: method), options: options, policy: try loadPolicy(path))
  }

  /// The policy at `path` (nil: none), with `file:line:column` errors.
  public static func loadPolicy(_ path: String?) throws(ScanInputError) -> Policy? {
    guard let path else { return nil }
    do {
      return try PolicyLoader.load(path: path)
    } catch {
      throw ScanInputError("policy refused: \(error)")
    }
  }

  /// The inventory (and ssh_config) with defaults applied, each host with its route (direct,
  /// ProxyJump, ProxyCommand); a host whose route cannot be built is a failed row saying why.
  static func loadTargets(_ request: ScanRequest, home: String, defaultUser: String) throws(ScanInputError) -> ([ScanTarget], [HostResult])
  {
    guard let data = FileContents.read(request.inventory) else { throw ScanInputError("cannot read inventory \(request.inventory)") }
    var parsed: Inventory
    do {
      parsed = try InventoryParser.parse(String(decoding: data, as: UTF8.self), file: request.inventory)
    } catch {
      throw ScanInputError("\(error)")
    }
    var refused: [HostResult] = []
    var config = SSHConfig()
    let configPath = request.sshConfig ?? "\(home)/.ssh/config"
    if request.sshConfig != nil || FileManager.default.fileExists(atPath: configPath) {
      guard let configData = FileContents.read(configPath) else { throw ScanInputError("cannot read ssh_config \(configPath)") }
      do {
        config = try SSHConfig.parse(String(decoding: configData, as: UTF8.self), file: configPath) { pattern in
          let path = pattern.hasPrefix("/") ? pattern : "\(home)/.ssh/\(pattern)"
          guard let text = FileContents.read(path) else { return [] }
          return [SSHConfig.IncludedFile(file: path, text: String(decoding: text, as: UTF8.self))]
        }
      } catch {
        throw ScanInputError("\(error)")
      }
    }
    // Without a file every lookup is empty, so routes come from the inventory's -J alone.
    let configured = parsed.applying(config, homeDirectory: home)
    let resolver = ProxyRouteResolver(config: config, defaultUser: defaultUser, homeDirectory: home)
    var targets: [ScanTarget] = []
    for (host, resolution) in zip(configured.inventory.hosts, configured.resolutions) {
      var target = ScanTarget(host, defaultUser: defaultUser, defaultIdentity: nil, defaultSudo: request.sudo)
      do {
        target.route = try resolver.route(
          for: resolution, inventoryJump: host.proxyJump, host: target.address, port: target.port, user: target.user)
        targets.append(target)
      } catch {
        // A route that cannot be built is this host's row, with the line that set it.
        let keyword = host.proxyJump != nil ? nil : resolution.sources["proxyjump"] ?? resolution.sources["proxycommand"]
        let origin = host.proxyJump != nil ? " (inventory \(host.source))" : keyword.map { " (\($0))" } ?? ""
        refused.append(target.failedResult(FailureCode.proxyInvalid, "\(error)\(origin)"))
      }
    }
    return (targets, refused)
  }
}

extension ProxyRoute {
  /// The IdentityFiles ssh_config names for this route's jump hosts.
  var jumpIdentityFiles: [String] {
    if case .jump(let hops) = self { return hops.flatMap(\.identityFiles) }
    return []
  }
}
