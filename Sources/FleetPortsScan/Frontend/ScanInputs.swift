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
    // A shard may be empty (a small inventory cut in many): it is still scanned and stored, so
    // the fleet view knows that shard is covered.
    guard !targets.isEmpty || !refused.isEmpty || request.shard != nil else { throw ScanInputError("\(request.inventory) lists no hosts") }

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
    let deadline = Duration.milliseconds(Int64(request.timeoutSeconds * 1000))
    let scanner = FleetScanner(
      knownHosts: knownHosts, checking: request.hostKeyChecking, identities: perHost, defaultIdentities: defaultIdentities,
      agentSocket: agentSocket, method: request.method, parallel: request.parallel, perServer: request.perServer,
      deadlines: SSHDeadlines(connect: min(deadline, .seconds(10)), handshakeAndAuth: deadline, command: deadline))
    var options = ScanOptions(
      inventory: request.inventory, method: request.method, sudo: request.sudo, parallel: request.parallel,
      timeoutSeconds: request.timeoutSeconds, hostKeyChecking: request.hostKeyChecking.rawValue)
    options.fleet = request.fleet ?? ScanRequest.defaultFleet(inventory: request.inventory)
    options.shard = request.shard?.label
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

  /// The inventory (and ssh_config) with defaults applied; hosts ssh_config sends through a
  /// proxy become failed rows instead of being silently skipped.
  static func loadTargets(_ request: ScanRequest, home: String, defaultUser: String) throws(ScanInputError) -> ([ScanTarget], [HostResult]) {
    guard let data = FileContents.read(request.inventory) else { throw ScanInputError("cannot read inventory \(request.inventory)") }
    var parsed: Inventory
    do {
      parsed = try InventoryParser.parse(String(decoding: data, as: UTF8.self), file: request.inventory)
    } catch {
      throw ScanInputError("\(error)")
    }
    if let shard = request.shard {
      if case .group(let group) = shard, !parsed.hosts.contains(where: { $0.groups.contains(group) }) {
        let groups = Set(parsed.hosts.flatMap(\.groups)).sorted().joined(separator: ", ")
        throw ScanInputError("--shard-group \(group): \(request.inventory) has no group \(group) (its groups: \(groups.isEmpty ? "none" : groups))")
      }
      parsed.hosts.removeAll { !shard.contains(name: $0.name, groups: $0.groups) }
    }
    return try configure(parsed, request, home: home, defaultUser: defaultUser)
  }

  /// The inventory's hosts with ssh_config applied (hosts it sends through a proxy refused).
  static func configure(_ inventory: Inventory, _ request: ScanRequest, home: String, defaultUser: String) throws(ScanInputError) -> (
    [ScanTarget], [HostResult]
  ) {
    var parsed = inventory
    var refused: [HostResult] = []
    let configPath = request.sshConfig ?? "\(home)/.ssh/config"
    if request.sshConfig != nil || FileManager.default.fileExists(atPath: configPath) {
      guard let configData = FileContents.read(configPath) else { throw ScanInputError("cannot read ssh_config \(configPath)") }
      let config: SSHConfig
      do {
        config = try SSHConfig.parse(String(decoding: configData, as: UTF8.self), file: configPath) { pattern in
          let path = pattern.hasPrefix("/") ? pattern : "\(home)/.ssh/\(pattern)"
          guard let text = FileContents.read(path) else { return [] }
          return [SSHConfig.IncludedFile(file: path, text: String(decoding: text, as: UTF8.self))]
        }
      } catch {
        throw ScanInputError("\(error)")
      }
      let configured = parsed.applying(config, homeDirectory: home)
      parsed = configured.inventory
      let refusals = Dictionary(configured.refusals.map { ($0.name, $0.message) }, uniquingKeysWith: { first, _ in first })
      for host in parsed.hosts {
        guard let message = refusals[host.name] else { continue }
        let target = ScanTarget(host, defaultUser: defaultUser, defaultIdentity: nil, defaultSudo: request.sudo)
        refused.append(target.failedResult(FailureCode.proxyUnsupported, message))
      }
      parsed.hosts.removeAll { refusals[$0.name] != nil }
    }
    let targets = parsed.hosts.map { ScanTarget($0, defaultUser: defaultUser, defaultIdentity: nil, defaultSudo: request.sudo) }
    return (targets, refused)
  }
}
