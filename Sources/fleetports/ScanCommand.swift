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
      runs one probe script (`exec /bin/sh -s`, the script on the channel's stdin) that reads the kernel's socket tables \
      (/proc/net; TCP from ss's netlink dump where ss can be trusted and costs the host less) and the host's ss, netstat or lsof, and writes \
      scan.json (mode 0600) into --out. One host's failure is a row in the \
      report, never the end of the scan. Ctrl-C stops starting hosts, abandons the ones in \
      flight and still writes what finished. Every scan is also stored in the scan history \
      (--db, default reports/fleetports.db; see `fleetports history` and `fleetports diff`), and \
      its reports show the changes since the previous stored scan of the same inventory.

      Several controllers: give every one the same --db postgresql://user@host/db (a shared \
      PostgreSQL history) and its own part of the inventory, --shard K/N (hosts by a stable \
      hash of their name) or --shard-group GROUP; `fleetports report --fleet NAME` then \
      merges the newest scan of every shard into one report (docs/history.md).

      Inventory: one host a line, `[user@]host[:port]` then `key=value` options (user, port, \
      key, groups, sudo); `[group]` headers; `#` comments. Ansible inventories work too: INI, \
      YAML (.yml/.yaml: all → hosts/children/vars), and the JSON `ansible-inventory -i SRC --list` \
      prints for any dynamic inventory (.json); ansible_host, ansible_user, ansible_port, \
      ansible_ssh_private_key_file, ansible_become, ansible_ssh_common_args -J/ProxyJump.

      Host names resolve through ssh_config as `ssh NAME` would: Include, Host and Match blocks, \
      HostName, User, Port, IdentityFile, IdentityAgent, UserKnownHostsFile, StrictHostKeyChecking, \
      HostKeyAlias, ConnectTimeout. Each host's key is checked against its own known_hosts files \
      unless --known-hosts names one file; --host-key-check overrides StrictHostKeyChecking.

      The scan is analysed before scan.json is written: findings (datastores beyond loopback, \
      UDP amplifiers, CLOSE-WAIT pile-ups, accept-queue overflows, world-writable Unix sockets, …) \
      judged against --policy when given (docs/policy.md).

      Exit codes (the first that applies): 5 the scan ran but its files could not all be written, \
      or it could not be stored in the history (--db); 130 interrupted (what finished is written); \
      1 unsuppressed findings at or above --fail-on; 4 no host could be scanned; \
      3 some hosts could not be scanned or only partly; 0 otherwise. 2 is a usage error \
      (flags, an --out folder or --db that is not private, unreadable \
      or malformed inventory, ssh_config, identity, known_hosts or policy).
      """
  )

  @Argument(help: "The inventory file.")
  var inventory: String

  @Option(help: "Hosts scanned at once.")
  var parallel: Int = 64

  @Option(
    help: """
      Hosts scanned at once per server (address:port), within --parallel: sshd's MaxStartups (start 10 by default) \
      drops connections beyond it at random.
      """)
  var perServer: Int = FleetScanner.defaultPerServer

  @Option(help: "Seconds allowed for each phase of a host: connect, handshake and login, and the probe itself.")
  var timeout: Double = 30

  @Option(help: "Login user for hosts that name none (default: the current user).")
  var user: String?

  @Option(
    name: .customLong("identity"),
    help:
      "A private key to log in with (repeatable; Ed25519, ECDSA or RSA, RSA signed as rsa-sha2-512; KEY-cert.pub beside it is offered too). Default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa."
  )
  var identities: [String] = []

  @Option(
    help:
      "The environment variable that holds the identities' passphrase (never a flag: command lines are visible to other users). Each encrypted key is decrypted once, in memory, before any host is contacted; a wrong passphrase is a usage error."
  )
  var passphraseEnv: String?

  @Option(
    help: """
      An OpenSSH client config read alone, as `ssh -F FILE` reads it (Include, Host, Match, HostName, User, Port, \
      IdentityFile, ProxyJump, ProxyCommand, UserKnownHostsFile, StrictHostKeyChecking, HostKeyAlias, ConnectTimeout, …; see the README's \
      "ssh_config options honoured"), or `none` for no file. Default: ~/.ssh/config, then /etc/ssh/ssh_config, as ssh \
      reads them. A host the file sets up in a way fleetports cannot follow (Match exec, AddressFamily inet6, …) is a \
      failed row naming file:line.
      """)
  var sshConfig: String?

  @Option(
    help: """
      Channels at once on one jump host's session (ProxyJump): every host behind a bastion shares one SSH session \
      to it, one channel per host; hosts beyond this wait for a free channel.
      """)
  var jumpChannels: Int = JumpPool.defaultChannelsPerJump

  @Option(
    help: """
      The one known_hosts file every host's key is checked against and accept-new writes to, overriding ssh_config's \
      UserKnownHostsFile and GlobalKnownHostsFile. Default: each host's files from ssh_config, else ~/.ssh/known_hosts, \
      ~/.ssh/known_hosts2, /etc/ssh/ssh_known_hosts, /etc/ssh/ssh_known_hosts2.
      """)
  var knownHosts: String?

  @Option(
    help: """
      strict (unknown or changed keys refused), accept-new (unknown keys recorded in the host's first known_hosts \
      file), or off; overrides ssh_config's StrictHostKeyChecking for every host. Default: each host's \
      StrictHostKeyChecking (yes and ask are strict, no is off), strict where it sets none.
      """)
  var hostKeyCheck: HostKeyChecking?

  @Flag(help: "Run the probe under `sudo -n` (never prompts), for full process attribution.")
  var sudo = false

  @Option(
    help:
      "Where owners come from: auto, ss, netstat, lsof or proc (/proc/<pid>/fd). /proc/net is always read (with ss, its netlink dump stands for /proc/net/tcp*)."
  )
  var method: ProbeMethod = .auto

  @OptionGroup var output: ReportOutput

  @Flag(help: "Do not ask ssh-agent even when SSH_AUTH_SOCK is set.")
  var noAgent = false

  @Flag(help: "Use private key files that group or others can read (OpenSSH refuses them; chmod 600 is the fix).")
  var allowOpenKeyFiles = false
  @Flag(
    help:
      "After the scan, TCP-connect from here to each host's listeners judged open or blocked through its firewall (at most 16 per host, 2 s each, 64 at once) and record whether the network agrees (scan.json `reachCheck`)."
  )
  var verifyReach = false

  @Option(
    help: ArgumentHelp(
      "Scan only shard K of N: the hosts whose inventory name hashes (FNV-1a) to it, the same shard on every controller. Run K=1…N from N controllers into one --db postgresql://… history; `report --fleet` joins them.",
      valueName: "K/N"))
  var shard: String?

  @Option(help: ArgumentHelp("Scan only the hosts of this inventory group, stored as shard group:GROUP of the fleet.", valueName: "group"))
  var shardGroup: String?

  @Option(help: "The fleet this scan belongs to in the history (default: the inventory file's name without its extension).")
  var fleet: String?

  @OptionGroup var analysis: AnalysisOptions

  @OptionGroup var database: StoreOptions

  /// `--shard` or `--shard-group` as a selection (validated in `validate`).
  var shardSelection: ShardSelection? {
    if let shard { return ShardSelection.parse(shard) }
    return shardGroup.map(ShardSelection.group)
  }

  func validate() throws {
    if let shard {
      guard ShardSelection.parse(shard) != nil else { throw ValidationError("--shard \(shard): use K/N with 1 ≤ K ≤ N ≤ 4096, e.g. 2/4") }
      guard shardGroup == nil else { throw ValidationError("--shard and --shard-group split the inventory two ways: give one") }
    }
    if let shardGroup, shardGroup.isEmpty { throw ValidationError("--shard-group needs a group name") }
    if let fleet, fleet.isEmpty { throw ValidationError("--fleet needs a name") }
    guard parallel >= 1 && parallel <= 4096 else { throw ValidationError("--parallel must be between 1 and 4096") }
    guard perServer >= 1 && perServer <= 4096 else { throw ValidationError("--per-server must be between 1 and 4096") }
    guard timeout > 0 && timeout <= 3600 else { throw ValidationError("--timeout must be between 0 and 3600 seconds") }
    guard jumpChannels >= 1 && jumpChannels <= 1024 else { throw ValidationError("--jump-channels must be between 1 and 1024") }
  }

  mutating func run() async throws {
    var request = ScanRequest(
      inventory: inventory, parallel: parallel, perServer: perServer, timeoutSeconds: timeout, user: user, identities: identities,
      passphraseEnv: passphraseEnv,
      sshConfig: sshConfig, knownHosts: knownHosts, hostKeyChecking: hostKeyCheck, sudo: sudo, method: method, noAgent: noAgent,
      policy: analysis.policy, allowOpenKeyFiles: allowOpenKeyFiles, channelsPerJump: jumpChannels)
    request.shard = shardSelection
    request.fleet = fleet
    var plan: ScanPlan
    do {
      plan = try ScanInputs.load(
        request, home: FileManager.default.homeDirectoryForCurrentUser.path, environment: ProcessInfo.processInfo.environment)
    } catch {
      throw ValidationError(error.description)
    }
    // The keys are decrypted: the passphrase leaves the environment, so no ProxyCommand (or
    // anything it starts) inherits it.
    if let passphraseEnv { unsetenv(passphraseEnv) }
    plan.verifyReach = verifyReach
    let session = ScanSession(
      plan: plan, reports: try output.destination(), store: try database.open(), toolVersion: FleetPortsCommand.configuration.version)
    let progress = ProgressLine(total: plan.hostCount)
    let scanTask = Task { await session.run { progress.update($0) } }
    let interrupt = InterruptHandler { scanTask.cancel() }
    let outcome = await scanTask.value
    interrupt.stop()
    progress.finish()
    try ScanCommand.finish(outcome, failOn: analysis.failOn, verbose: analysis.verbose)
  }

  /// Prints the outcome (failures to write on standard error) and ends with its exit code.
  static func finish(_ outcome: ScanOutcome, failOn: Severity?, verbose: Bool) throws {
    for failure in [outcome.storeFailure, outcome.reportFailure].compactMap({ $0 }) { FileOutput.standardError("fleetports: \(failure)\n") }
    FileOutput.standardOutput(outcome.terminalText(failOn: failOn, verbose: verbose))
    let code = outcome.exitCode(failOn: failOn)
    if code != 0 { throw ExitCode(code) }
  }
}

extension HostKeyChecking: ExpressibleByArgument {}
extension ProbeMethod: ExpressibleByArgument {}
