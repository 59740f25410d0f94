/// What ssh_config says for one host alias, as `ssh alias` (OpenSSH 9.2) would see it: for
/// each keyword the first value obtained wins (IdentityFile and CertificateFile accumulate).
/// nil or empty: not set.
public struct SSHConfigResolution: Sendable, Hashable {
  /// The name looked up (the inventory host's name).
  public var alias: String
  /// `HostName`, with `%h` replaced by the alias and `%%` by `%`, lowercased as ssh does.
  public var hostName: String?
  public var user: String?
  public var port: Int?
  /// Every `IdentityFile` that applies, in order, duplicates dropped; `~`, `${VAR}` and the
  /// tokens `%% %C %d %h %i %j %k %L %l %n %p %r %u` expanded as far as they are known.
  public var identityFiles: [String] = []
  /// `IdentitiesOnly yes`: only the identity files, not ssh-agent's other keys.
  public var identitiesOnly: Bool?
  /// `IdentityAgent`: `none`, `SSH_AUTH_SOCK`, a path, or `$VAR` (expanded like identityFiles).
  public var identityAgent: String?
  /// Every `CertificateFile` that applies, expanded like `identityFiles`.
  public var certificateFiles: [String] = []
  /// `ProxyJump` (nil when unset or `none`).
  public var proxyJump: String?
  /// `ProxyCommand` (nil when unset or `none`), arguments joined by blanks.
  public var proxyCommand: String?
  /// `StrictHostKeyChecking` lowercased: yes, no, ask, accept-new, off (true and false are yes and no).
  public var strictHostKeyChecking: String?
  /// The files of the first `UserKnownHostsFile`, expanded like `identityFiles`.
  public var userKnownHostsFiles: [String] = []
  /// The files of the first `GlobalKnownHostsFile`, `~` expanded.
  public var globalKnownHostsFiles: [String] = []
  /// `HostKeyAlias`: the name known_hosts is searched and written under instead of the host's.
  public var hostKeyAlias: String?
  /// `ConnectTimeout` in seconds (nil when unset or `none`).
  public var connectTimeoutSeconds: Int?
  /// `Ciphers`, `MACs`, `KexAlgorithms`, `HostKeyAlgorithms` as written, by lowercased keyword
  /// (apply them with `SSHAlgorithmList`).
  public var algorithms: [String: String] = [:]
  /// The line each value above came from, by lowercased keyword (first line for lists).
  public var sources: [String: SourceLine] = [:]
  /// Settings that apply to this host and that fleetports cannot follow, in file order.
  public var unsupported: [SSHConfigUnsupported] = []

  public init(alias: String) {
    self.alias = alias
  }

  /// The name to connect to.
  public var connectName: String { hostName ?? alias }

  /// Why a scan must refuse this host because of an option it cannot follow (the first one
  /// in file order), naming file:line; nil when there is none.
  public var unsupportedOptionMessage: String? {
    guard let first = unsupported.first else { return nil }
    let more = unsupported.count > 1 ? " (and \(unsupported.count - 1) more: \(unsupported.dropFirst().map(\.description).joined(separator: "; ")))" : ""
    return "ssh_config sets \(first.setting) for '\(alias)' (\(first.source)): \(first.reason). Remove it for this host or scan with --ssh-config pointing at a file without it.\(more)"
  }
}

/// One ssh_config setting that applies to a host and that fleetports cannot follow.
public struct SSHConfigUnsupported: Sendable, Hashable, CustomStringConvertible {
  /// The keyword and value as written, e.g. `AddressFamily inet6` or `Match exec "test -f x"`.
  public var setting: String
  public var source: SourceLine
  /// Why, one sentence.
  public var reason: String

  public init(setting: String, source: SourceLine, reason: String) {
    self.setting = setting
    self.source = source
    self.reason = reason
  }

  /// `setting (file:line)`.
  public var description: String { "\(setting) (\(source))" }
}

/// What ssh knows about the machine it runs on, for `%u %d %i %l %L` tokens, `${VAR}`,
/// `Match localuser` and the default remote user.
public struct SSHLocalContext: Sendable, Hashable {
  /// The local login name (`%u`, `Match localuser`, and the remote user when none is set); nil: unknown.
  public var user: String?
  /// `~` and `%d`.
  public var home: String
  public var uid: Int?
  /// `gethostname()` (`%l`); `%L` is its first label.
  public var hostName: String?
  /// For `${VAR}` in file paths and `IdentityAgent $VAR`.
  public var environment: [String: String]

  public init(user: String? = nil, home: String, uid: Int? = nil, hostName: String? = nil, environment: [String: String] = [:]) {
    self.user = user
    self.home = home
    self.uid = uid
    self.hostName = hostName
    self.environment = environment
  }
}
