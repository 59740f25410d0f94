import FleetPortsCore
import FleetPortsSSH

/// How one host is reached and checked when ssh_config says more than address, port, user
/// and key: its own identities, agent, known_hosts files, checking mode, HostKeyAlias and
/// connect timeout. Every field left at its default means "the scan's own setting".
public struct HostConnection: Sendable, Hashable {
  /// Where a host's ssh-agent is (ssh_config `IdentityAgent`).
  public enum Agent: Sendable, Hashable {
    /// The scan's (`SSH_AUTH_SOCK`, unless --no-agent).
    case scanDefault
    /// `IdentityAgent none`, or a `$VAR` that is unset.
    case none
    /// A socket path.
    case socket(String)
  }

  /// ssh_config's IdentityFile list for a host whose inventory line names no key; they replace
  /// the scan's default keys for this host (missing files are skipped, as ssh skips them).
  public var identityFiles: [String] = []
  /// `IdentitiesOnly yes`: the agent is not asked when one of `identityFiles` could be read.
  public var identitiesOnly = false
  public var agent: Agent = .scanDefault
  /// ssh_config's CertificateFile list, resolved. Not used for login yet: signing with an
  /// OpenSSH certificate comes with the RSA/certificate work of issue 16 (item 3).
  public var certificateFiles: [String] = []
  /// The known_hosts files for this host; nil: the scan's (`--known-hosts`).
  public var knownHosts: KnownHostsFiles?
  /// nil: the scan's `--host-key-check` (or strict).
  public var hostKeyChecking: HostKeyChecking?
  /// `HostKeyAlias`.
  public var hostKeyAlias: String?
  /// `ConnectTimeout`; nil: the scan's connect deadline.
  public var connectTimeout: Duration?
  /// Ciphers, MACs, KexAlgorithms, HostKeyAlgorithms applied to libssh2's lists; a family
  /// ssh_config does not set is absent (libssh2's defaults).
  public var algorithms: [SSHAlgorithmKind: [String]] = [:]

  public init() {}
}

extension HostConnection {
  /// Takes what ssh_config resolved for the host (identity files are set by the caller, who
  /// knows whether the inventory named a key).
  /// - Parameters:
  ///   - resolution: the host's ssh_config values.
  ///   - environment: for `IdentityAgent SSH_AUTH_SOCK` and `$VAR`.
  ///   - knownHostsFlag: `--known-hosts`; when given, ssh_config's known_hosts files are not used.
  ///   - home: for ssh's default known_hosts files.
  mutating func apply(_ resolution: SSHConfigResolution, environment: [String: String], knownHostsFlag: String?, home: String) {
    identitiesOnly = resolution.identitiesOnly ?? false
    if let written = resolution.identityAgent {
      switch written.lowercased() {
      case "none": agent = .none
      case "ssh_auth_sock": agent = environment["SSH_AUTH_SOCK"].map(Agent.socket) ?? .none
      default:
        if written.hasPrefix("$") {
          agent = environment[String(written.dropFirst())].map(Agent.socket) ?? .none
        } else {
          agent = .socket(written)
        }
      }
    }
    certificateFiles = resolution.certificateFiles
    if knownHostsFlag == nil {
      let defaults = KnownHostsFiles.defaults(home: home)
      knownHosts = KnownHostsFiles(
        user: resolution.userKnownHostsFiles.isEmpty ? defaults.user : resolution.userKnownHostsFiles,
        global: resolution.globalKnownHostsFiles.isEmpty ? defaults.global : resolution.globalKnownHostsFiles)
    }
    hostKeyChecking = resolution.strictHostKeyChecking.flatMap(Self.checking)
    hostKeyAlias = resolution.hostKeyAlias
    connectTimeout = resolution.connectTimeoutSeconds.map { .seconds($0) }
  }

  /// StrictHostKeyChecking as fleetports' modes: yes and ask refuse unknown keys (fleetports
  /// never asks), accept-new records them, no and off check nothing.
  static func checking(_ value: String) -> HostKeyChecking? {
    switch value.lowercased() {
    case "yes", "true", "ask": return .strict
    case "accept-new": return .acceptNew
    case "no", "false", "off": return .off
    default: return nil
    }
  }
}

/// A host's known_hosts files as ssh_config names them: UserKnownHostsFile (searched first;
/// accept-new records into the first) and GlobalKnownHostsFile. A scan reads each distinct
/// set once.
public struct KnownHostsFiles: Sendable, Hashable {
  public var user: [String]
  public var global: [String]

  public init(user: [String], global: [String]) {
    self.user = user
    self.global = global
  }

  /// ssh's defaults, `~/.ssh/known_hosts ~/.ssh/known_hosts2` and
  /// `/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2`.
  public static func defaults(home: String) -> KnownHostsFiles {
    KnownHostsFiles(
      user: ["\(home)/.ssh/known_hosts", "\(home)/.ssh/known_hosts2"], global: ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"])
  }
}
