import FleetPortsCore
import FleetPortsSSH
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Reads and checks everything a scan needs before any host is contacted: the inventory and
/// ssh_config (errors as `file:line: …`), identities, known_hosts and the policy.
public enum ScanInputs {
  /// The plan for `request`. `home` is the user's home folder (for `~/.ssh/…` defaults) and
  /// `environment` the process environment (USER, SSH_AUTH_SOCK, the passphrase variable).
  /// - Throws: `ScanInputError` naming the file that cannot be used and why.
  public static func load(_ request: ScanRequest, home: String, environment: [String: String]) throws(ScanInputError) -> ScanPlan {
    let policy = try loadPolicy(request.policy)
    let defaultUser = request.user ?? environment["USER"] ?? NSUserName()
    let local = SSHLocalContext(
      user: environment["USER"] ?? NSUserName(), home: home, uid: Int(getuid()), hostName: ProcessInfo.processInfo.hostName,
      environment: environment)
    let (targets, refused) = try loadTargets(request, local: local, defaultUser: defaultUser)
    // A shard may be empty (a small inventory cut in many): it is still scanned and stored, so
    // the fleet view knows that shard is covered.
    guard !targets.isEmpty || !refused.isEmpty || request.shard != nil else { throw ScanInputError("\(request.inventory) lists no hosts") }

    // --known-hosts: one file for every host. Without it each host has its own files (ssh_config's
    // or ssh's defaults), and each distinct set is read once.
    var knownHostsByFiles: [KnownHostsFiles: KnownHostsStore] = [:]
    for files in Set(targets.compactMap(\.connection.knownHosts)) { knownHostsByFiles[files] = try readKnownHosts(files) }
    let scanFiles = request.knownHosts.map { KnownHostsFiles(user: [$0], global: []) } ?? .defaults(home: home)
    let knownHosts: KnownHostsStore
    if let shared = knownHostsByFiles[scanFiles] { knownHosts = shared } else { knownHosts = try readKnownHosts(scanFiles) }
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
    // ssh_config's IdentityFile lists: a missing file is skipped, as ssh skips it; an encrypted
    // one is left to the agent when there is one, as for the default keys.
    for path in Set(targets.flatMap(\.connection.identityFiles)) where perHost[path] == nil {
      do throws(ScanInputError) {
        if let identity = try IdentityFiles.load(path, rules: rules) { perHost[path] = identity }
      } catch {
        if agentSocket != nil && !error.message.hasPrefix("UNPROTECTED") { continue }
        throw error
      }
    }
    // Jump hosts' IdentityFiles from ssh_config; one that is absent leaves the hop to the defaults.
    // An encrypted one is left to the agent when there is one, as for the hosts' own.
    for path in Set(targets.flatMap { $0.route.jumpIdentityFiles }) where perHost[path] == nil {
      do throws(ScanInputError) {
        if let identity = try IdentityFiles.load(path, rules: rules) { perHost[path] = identity }
      } catch {
        if agentSocket != nil && !error.message.hasPrefix("UNPROTECTED") { continue }
        throw error
      }
    }
    let deadline = Duration.milliseconds(Int64(request.timeoutSeconds * 1000))
    var scanner = FleetScanner(
      knownHosts: knownHosts, checking: request.hostKeyChecking ?? .strict, identities: perHost, defaultIdentities: defaultIdentities,
      agentSocket: agentSocket, method: request.method, parallel: request.parallel, perServer: request.perServer,
      deadlines: SSHDeadlines(connect: min(deadline, .seconds(10)), handshakeAndAuth: deadline, command: deadline),
      channelsPerJump: request.channelsPerJump)
    scanner.knownHostsByFiles = knownHostsByFiles
    // ssh_config's CertificateFile: a missing file is skipped, as ssh skips it; one that is not
    // a certificate is a usage error naming it.
    for path in Set(targets.flatMap(\.connection.certificateFiles)).sorted() {
      if let certificate = try IdentityFiles.loadCertificate(path, named: false) { scanner.certificates.append(certificate) }
    }
    let modes = Set(targets.map { ($0.connection.hostKeyChecking ?? scanner.checking).rawValue })
    var options = ScanOptions(
      inventory: request.inventory, method: request.method, sudo: request.sudo, parallel: request.parallel,
      timeoutSeconds: request.timeoutSeconds, hostKeyChecking: modes.count == 1 ? modes.first ?? scanner.checking.rawValue : "per-host")
    options.fleet = request.fleet ?? ScanRequest.defaultFleet(inventory: request.inventory)
    options.shard = request.shard?.label
    return ScanPlan(source: .fleet(scanner: scanner, targets: targets, refused: refused), options: options, policy: policy)
  }

  /// One set of known_hosts files, read.
  static func readKnownHosts(_ files: KnownHostsFiles) throws(ScanInputError) -> KnownHostsStore {
    do {
      return try KnownHostsStore(userFiles: files.user, globalFiles: files.global)
    } catch {
      throw ScanInputError("cannot read known_hosts \((files.user + files.global).joined(separator: ", ")): \(error.localizedDescription)")
    }
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
  /// ProxyJump, ProxyCommand); hosts ssh_config sets up with an option fleetports cannot follow,
  /// or whose route cannot be built, become failed rows saying why instead of being skipped.
  /// `--shard`/`--shard-group` keep only the hosts of that shard.
  static func loadTargets(_ request: ScanRequest, local: SSHLocalContext, defaultUser: String) throws(ScanInputError) -> ([ScanTarget], [HostResult]) {
    var listed = try InventoryFile.load(request.inventory)
    if let shard = request.shard {
      if case .group(let group) = shard, !listed.hosts.contains(where: { $0.groups.contains(group) }) {
        let groups = Set(listed.hosts.flatMap(\.groups)).sorted().joined(separator: ", ")
        throw ScanInputError("--shard-group \(group): \(request.inventory) has no group \(group) (its groups: \(groups.isEmpty ? "none" : groups))")
      }
      listed.hosts.removeAll { !shard.contains(name: $0.name, groups: $0.groups) }
    }
    let config = try SSHConfigFiles.load(request.sshConfig, home: local.home)
    let configured = listed.applying(config, local: local)
    let resolver = ProxyRouteResolver(config: config, defaultUser: defaultUser, homeDirectory: local.home)
    var targets: [ScanTarget] = []
    var refused: [HostResult] = []
    for ((host, resolution), before) in zip(zip(configured.inventory.hosts, configured.resolutions), listed.hosts) {
      var target = ScanTarget(host, defaultUser: defaultUser, defaultIdentity: nil, defaultSudo: request.sudo)
      if let message = resolution.unsupportedOptionMessage {
        refused.append(target.failedResult(FailureCode.sshConfigUnsupported, message))
        continue
      }
      if let unusable = Self.algorithms(resolution, into: &target.connection) {
        refused.append(target.failedResult(FailureCode.sshConfigUnsupported, unusable))
        continue
      }
      do {
        target.route = try resolver.route(
          for: resolution, inventoryJump: host.proxyJump, host: target.address, port: target.port, user: target.user)
      } catch {
        // A route that cannot be built is this host's row, with the line that set it.
        let keyword = host.proxyJump != nil ? nil : resolution.sources["proxyjump"] ?? resolution.sources["proxycommand"]
        let origin = host.proxyJump != nil ? " (inventory \(host.source))" : keyword.map { " (\($0))" } ?? ""
        refused.append(target.failedResult(FailureCode.proxyInvalid, "\(error)\(origin)"))
        continue
      }
      if before.identityFile == nil {
        // Every IdentityFile ssh_config lists for the host, not only the first.
        target.identityFile = nil
        target.connection.identityFiles = resolution.identityFiles
      }
      target.connection.apply(resolution, environment: local.environment, knownHostsFlag: request.knownHosts, home: local.home)
      // --host-key-check wins over every host's StrictHostKeyChecking.
      if let flag = request.hostKeyChecking { target.connection.hostKeyChecking = flag }
      targets.append(target)
    }
    return (targets, refused)
  }

  /// ssh_config's algorithm lists applied to libssh2's; the row's message when one leaves
  /// nothing libssh2 speaks (ssh would negotiate, fleetports cannot).
  static func algorithms(_ resolution: SSHConfigResolution, into connection: inout HostConnection) -> String? {
    for kind in SSHAlgorithmKind.allCases {
      guard let value = resolution.algorithms[kind.rawValue] else { continue }
      let supported = SSHAlgorithms.supported(kind)
      guard !supported.isEmpty else { continue }
      let list = SSHAlgorithmList.apply(value, to: supported)
      guard !list.isEmpty else {
        let location = resolution.sources[kind.rawValue].map { " (\($0))" } ?? ""
        return "ssh_config sets \(kind.optionName) \(value) for '\(resolution.alias)'\(location): libssh2 speaks none of these"
          + " (it has \(supported.joined(separator: ", "))). Add one of those for this host or scan with --ssh-config pointing at a file without it."
      }
      if list != supported { connection.algorithms[kind] = list }
    }
    return nil
  }
}

extension ProxyRoute {
  /// The IdentityFiles ssh_config names for this route's jump hosts.
  var jumpIdentityFiles: [String] {
    if case .jump(let hops) = self { return hops.flatMap(\.identityFiles) }
    return []
  }
}
