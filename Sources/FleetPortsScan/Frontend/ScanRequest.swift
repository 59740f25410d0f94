import FleetPortsCore
import FleetPortsSSH

/// What the user asked `fleetports scan` for, before any file is read: the command line's
/// values as they are. `ScanInputs.load` turns it into a `ScanPlan`.
public struct ScanRequest: Sendable {
  /// The inventory file (native or Ansible INI).
  public var inventory: String
  /// Hosts scanned at once.
  public var parallel: Int
  /// Hosts scanned at once per `address:port`, within `parallel` (sshd's MaxStartups).
  public var perServer: Int
  /// Seconds allowed for each phase of a host (connect at most 10 of them).
  public var timeoutSeconds: Double
  /// Login user for hosts that name none; nil: `$USER`.
  public var user: String?
  /// `--identity` files; empty: `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa` where they exist.
  public var identities: [String]
  /// The environment variable holding the identities' passphrase.
  public var passphraseEnv: String?
  /// An OpenSSH client config read alone (as `ssh -F`), or `none` for no file; nil: as ssh,
  /// `~/.ssh/config` then `/etc/ssh/ssh_config`, each when it exists.
  public var sshConfig: String?
  /// The one known_hosts file every host is checked against (and accept-new writes to),
  /// overriding ssh_config's UserKnownHostsFile and GlobalKnownHostsFile; nil: each host's
  /// files from ssh_config, by default `~/.ssh/known_hosts`, `~/.ssh/known_hosts2`,
  /// `/etc/ssh/ssh_known_hosts`, `/etc/ssh/ssh_known_hosts2`.
  public var knownHosts: String?
  /// `--host-key-check`, overriding ssh_config's StrictHostKeyChecking; nil: each host's
  /// StrictHostKeyChecking (yes and ask: strict), strict where it sets none.
  public var hostKeyChecking: HostKeyChecking?
  public var sudo: Bool
  public var method: ProbeMethod
  /// Do not ask ssh-agent even when SSH_AUTH_SOCK is set.
  public var noAgent: Bool
  /// A policy file (YAML, docs/policy.md); nil: none.
  public var policy: String?
  /// Use private key files that group or others can read (OpenSSH refuses them).
  public var allowOpenKeyFiles: Bool
  /// Channels at once on one jump host's session (`--jump-channels`).
  public var channelsPerJump: Int
  /// Scan only this part of the inventory (`--shard K/N`, `--shard-group`); nil: all of it.
  public var shard: ShardSelection?
  /// The fleet the scan is stored under (`--fleet`); nil: the inventory file's name without
  /// folder and extension (`ScanRequest.defaultFleet`).
  public var fleet: String?

  public init(
    inventory: String, parallel: Int = 64, perServer: Int = FleetScanner.defaultPerServer, timeoutSeconds: Double = 30, user: String? = nil,
    identities: [String] = [],
    passphraseEnv: String? = nil, sshConfig: String? = nil, knownHosts: String? = nil, hostKeyChecking: HostKeyChecking? = nil,
    sudo: Bool = false, method: ProbeMethod = .auto, noAgent: Bool = false, policy: String? = nil, allowOpenKeyFiles: Bool = false,
    channelsPerJump: Int = JumpPool.defaultChannelsPerJump
  ) {
    self.inventory = inventory
    self.parallel = parallel
    self.perServer = perServer
    self.timeoutSeconds = timeoutSeconds
    self.user = user
    self.identities = identities
    self.passphraseEnv = passphraseEnv
    self.sshConfig = sshConfig
    self.knownHosts = knownHosts
    self.hostKeyChecking = hostKeyChecking
    self.sudo = sudo
    self.method = method
    self.noAgent = noAgent
    self.policy = policy
    self.allowOpenKeyFiles = allowOpenKeyFiles
    self.channelsPerJump = channelsPerJump
  }

  /// The fleet name an inventory gives when `--fleet` is not set: `inventories/prod-eu.ini` → `prod-eu`.
  public static func defaultFleet(inventory: String) -> String {
    let file = inventory.split(separator: "/").last.map(String.init) ?? inventory
    guard let dot = file.lastIndex(of: "."), dot != file.startIndex else { return file }
    return String(file[..<dot])
  }
}

/// An input the scan cannot start with: an unreadable or malformed inventory, ssh_config,
/// identity, known_hosts or policy. The message names the file (and line where there is one)
/// and is meant for the user as it is; the command line turns it into exit code 2.
public struct ScanInputError: Error, Hashable, Sendable, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
