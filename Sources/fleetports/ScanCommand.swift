import ArgumentParser
import Dispatch
import FleetPortsCore
import FleetPortsReport
import FleetPortsSSH
import FleetPortsScan
import FleetPortsStore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `fleetports scan INVENTORY`: probe every host over SSH and write scan.json.
struct ScanCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scan",
    abstract: "Scan every host of an inventory over SSH.",
    discussion: """
      Logs into each host (libssh2, key or agent auth, host keys checked against known_hosts), \
      runs one probe script (carried base64 in the command line into `sh -s`) that reads /proc/net and the host's ss, netstat or \
      lsof, and writes scan.json (mode 0600) into --out. One host's failure is a row in the \
      report, never the end of the scan. Ctrl-C stops starting hosts, abandons the ones in \
      flight and still writes what finished. Every scan is also stored in the scan history \
      (--db, default reports/fleetports.db; see `fleetports history` and `fleetports diff`), and \
      its reports show the changes since the previous stored scan of the same inventory.

      Inventory: one host a line, `[user@]host[:port]` then `key=value` options (user, port, \
      key, groups, sudo); `[group]` headers; `#` comments. Ansible INI inventories work too \
      (ansible_host, ansible_user, ansible_port, [group:children]).

      The scan is analysed before scan.json is written: findings (datastores beyond loopback, \
      UDP amplifiers, CLOSE-WAIT pile-ups, accept-queue overflows, world-writable Unix sockets, …) \
      judged against --policy when given (docs/policy.md).

      Exit codes (the first that applies): 130 interrupted (what finished is written); \
      1 unsuppressed findings at or above --fail-on; 4 no host could be scanned; \
      3 some hosts could not be scanned or only partly; 0 otherwise. 5: the scan ran but its files \
      could not all be written, or it could not be stored in the history (--db). 2 is a usage error \
      (flags, an --out folder or --db that is not private, unreadable \
      or malformed inventory or policy).
      """
  )

  @Argument(help: "The inventory file.")
  var inventory: String

  @Option(help: "Hosts scanned at once.")
  var parallel: Int = 64

  @Option(help: "Seconds allowed for each phase of a host: connect, handshake and login, and the probe itself.")
  var timeout: Double = 30

  @Option(help: "Login user for hosts that name none (default: the current user).")
  var user: String?

  @Option(name: .customLong("identity"), help: "A private key to log in with (repeatable). Default: ~/.ssh/id_ed25519, id_ecdsa (and id_rsa, which is refused with an explanation).")
  var identities: [String] = []

  @Option(help: "The environment variable that holds the identity's passphrase.")
  var passphraseEnv: String?

  @Option(help: "An OpenSSH client config to resolve host aliases (HostName, User, Port, IdentityFile). Default: ~/.ssh/config when it exists.")
  var sshConfig: String?

  @Option(help: "The known_hosts file host keys are checked against. Default: ~/.ssh/known_hosts.")
  var knownHosts: String?

  @Option(help: "strict (unknown or changed keys refused), accept-new (unknown keys recorded), or off.")
  var hostKeyCheck: HostKeyChecking = .strict

  @Flag(help: "Run the probe under `sudo -n` (never prompts), for full process attribution.")
  var sudo = false

  @Option(help: "Where owners come from: auto, ss, netstat, lsof or proc (/proc/<pid>/fd). /proc/net is always read.")
  var method: ProbeMethod = .auto

  @OptionGroup var output: ReportOutput

  @Flag(help: "Do not ask ssh-agent even when SSH_AUTH_SOCK is set.")
  var noAgent = false

  @OptionGroup var analysis: AnalysisOptions

  @OptionGroup var database: StoreOptions

  func validate() throws {
    guard parallel >= 1 && parallel <= 4096 else { throw ValidationError("--parallel must be between 1 and 4096") }
    guard timeout > 0 && timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
  }

  mutating func run() async throws {
    let home = FileManager.default.homeDirectoryForCurrentUser.path
    let policy = try analysis.loadPolicy()
    let targets: [ScanTarget]
    var refused: [HostResult] = []
    do {
      (targets, refused) = try loadTargets(home: home)
    } catch let error as ValidationError {
      throw error
    }
    guard !targets.isEmpty || !refused.isEmpty else { throw ValidationError("\(inventory) lists no hosts") }

    let knownHostsPath = knownHosts ?? "\(home)/.ssh/known_hosts"
    let store: KnownHostsStore
    do {
      store = try KnownHostsStore(path: knownHostsPath)
    } catch {
      throw ValidationError("cannot read known_hosts \(knownHostsPath): \(error.localizedDescription)")
    }
    let passphrase = passphraseEnv.flatMap { ProcessInfo.processInfo.environment[$0] }
    let defaultPaths = identities.isEmpty ? ["id_ed25519", "id_ecdsa", "id_rsa"].map { "\(home)/.ssh/\($0)" } : identities
    var defaultIdentities: [SSHIdentity] = []
    for path in defaultPaths {
      if let data = FileContents.read(path) {
        defaultIdentities.append(SSHIdentity(path: path, privateKey: Array(data), passphrase: passphrase))
      } else if !identities.isEmpty {
        throw ValidationError("cannot read identity \(path)")
      }
    }
    var perHost: [String: SSHIdentity] = [:]
    for path in Set(targets.compactMap(\.identityFile)) {
      if let data = FileContents.read(path) {
        perHost[path] = SSHIdentity(path: path, privateKey: Array(data), passphrase: passphrase)
      }
    }
    let agent = noAgent ? nil : ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"]
    let deadline = Duration.milliseconds(Int64(timeout * 1000))
    let scanner = FleetScanner(
      knownHosts: store, checking: hostKeyCheck, identities: perHost, defaultIdentities: defaultIdentities, agentSocket: agent,
      method: method, parallel: parallel,
      deadlines: SSHDeadlines(connect: min(deadline, .seconds(10)), handshakeAndAuth: deadline, command: deadline))

    let startedAt = Date()
    try output.prepare(startedAt: startedAt)
    let history = try database.open()
    let progress = ProgressLine(total: targets.count + refused.count)
    let scanTask = Task { await scanner.scan(targets) { progress.update($0) } }
    let interrupt = InterruptHandler { scanTask.cancel() }
    let (hosts, interrupted) = await scanTask.value
    interrupt.stop()
    progress.finish()

    let options = ScanOptions(
      inventory: inventory, method: method, sudo: sudo, parallel: parallel, timeoutSeconds: timeout, hostKeyChecking: hostKeyCheck.rawValue)
    let analysed = ScanResult(
      toolVersion: FleetPortsCommand.configuration.version, startedAt: ScanArchive.iso8601(startedAt),
      finishedAt: ScanArchive.iso8601(Date()), interrupted: interrupted, options: options, hosts: hosts + refused
    ).analyzed(policy: policy, today: AnalysisOptions.today())
    // Stored first (with the changes since the previous scan), so the reports can show them.
    let recorded = ScanRecorder.record(analysed, in: history)
    let scan = recorded.scan
    let written = try output.write(scan, json: recorded.json, startedAt: startedAt)
    FileOutput.standardOutput(ScanSummaryText.render(scan, reportPath: written.failed ? nil : written.paths.joined(separator: ", ")))
    FileOutput.standardOutput(ScanRecorder.summary(recorded, path: history.path))
    FileOutput.standardOutput(FindingsText.render(scan, failOn: analysis.failOn))
    if written.failed || recorded.failed { throw ReportOutput.writeFailure }
    if interrupted { throw ExitCode(130) }
    if analysis.failed(scan) { throw ExitCode(1) }
    if scan.succeeded.isEmpty { throw ExitCode(4) }
    // A degraded host (a kernel table cut or unreadable, output cut off) is not a clean scan either.
    let degraded = scan.succeeded.contains { $0.snapshot?.provenance.isDegraded ?? false }
    if scan.succeeded.count < scan.hosts.count || degraded { throw ExitCode(3) }
  }

  /// Reads the inventory (and ssh_config), applies defaults; hosts ssh_config sends through
  /// a proxy become failed rows instead of being silently skipped.
  func loadTargets(home: String) throws -> ([ScanTarget], [HostResult]) {
    guard let data = FileContents.read(inventory) else {
      throw ValidationError("cannot read inventory \(inventory)")
    }
    var parsed: Inventory
    do {
      parsed = try InventoryParser.parse(String(decoding: data, as: UTF8.self), file: inventory)
    } catch {
      throw ValidationError("\(error)")
    }
    var refused: [HostResult] = []
    let configPath = sshConfig ?? "\(home)/.ssh/config"
    if sshConfig != nil || FileManager.default.fileExists(atPath: configPath) {
      guard let configData = FileContents.read(configPath) else {
        throw ValidationError("cannot read ssh_config \(configPath)")
      }
      let config: SSHConfig
      do {
        config = try SSHConfig.parse(String(decoding: configData, as: UTF8.self), file: configPath) { pattern in
          let path = pattern.hasPrefix("/") ? pattern : "\(home)/.ssh/\(pattern)"
          guard let text = FileContents.read(path) else { return [] }
          return [SSHConfig.IncludedFile(file: path, text: String(decoding: text, as: UTF8.self))]
        }
      } catch {
        throw ValidationError("\(error)")
      }
      let configured = parsed.applying(config, homeDirectory: home)
      let refusals = Dictionary(configured.refusals.map { ($0.name, $0.message) }, uniquingKeysWith: { first, _ in first })
      parsed = configured.inventory
      let refusedHosts = parsed.hosts.filter { refusals[$0.name] != nil }
      parsed.hosts.removeAll { refusals[$0.name] != nil }
      refused = refusedHosts.map { host in
        HostResult(
          name: host.name, address: host.address, port: host.port ?? 22, user: host.user ?? defaultUser, groups: host.groups,
          status: .failed, failure: HostResult.Failure(code: "proxy-unsupported", message: refusals[host.name] ?? "unsupported proxy"))
      }
    }
    let targets = parsed.hosts.map { ScanTarget($0, defaultUser: defaultUser, defaultIdentity: nil, defaultSudo: sudo) }
    return (targets, refused)
  }

  var defaultUser: String { user ?? ProcessInfo.processInfo.environment["USER"] ?? NSUserName() }
}

extension HostKeyChecking: ExpressibleByArgument {}
extension ProbeMethod: ExpressibleByArgument {}

/// Turns the first Ctrl-C into cancelling the scan; a second one exits at once.
final class InterruptHandler: @unchecked Sendable {
  private let source: any DispatchSourceSignal
  private var count = 0

  init(onInterrupt: @escaping @Sendable () -> Void) {
    signal(SIGINT, SIG_IGN)
    source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source.setEventHandler { [unowned self] in
      count += 1
      if count > 1 { _exit(130) }
      FileOutput.standardError("\ninterrupted: finishing up (Ctrl-C again to quit at once)\n")
      onInterrupt()
    }
    source.resume()
  }

  func stop() {
    source.cancel()
    signal(SIGINT, SIG_DFL)
  }
}

/// Progress on standard error: a bar redrawn in place on a terminal, a line per host otherwise.
final class ProgressLine: @unchecked Sendable {
  private let total: Int
  private let isTerminal = isatty(2) == 1
  private let lock = NSLock()

  init(total: Int) { self.total = total }

  func update(_ progress: ScanProgress) {
    lock.lock()
    defer { lock.unlock() }
    if isTerminal {
      let width = 30
      let filled = total == 0 ? width : progress.done * width / max(total, 1)
      let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
      FileOutput.standardError("\r[\(bar)] \(progress.done)/\(total) hosts, \(progress.failed) failed, \(String(format: "%.1f", progress.elapsedSeconds)) s")
    } else {
      FileOutput.standardError("\(progress.done)/\(total) \(TerminalText.sanitize(progress.lastHost)): \(progress.lastStatus)\n")
    }
  }

  func finish() {
    if isTerminal { FileOutput.standardError("\n") }
  }
}

/// Reads a whole file, devices such as /dev/null included (FileManager's `contents(atPath:)` says nil for those).
enum FileContents {
  static func read(_ path: String) -> Data? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    return try? handle.readToEnd() ?? Data()
  }
}
