/// Why a host has no snapshot, as a stable code for machines (scan.json, JUnit, the history's
/// `failureCode` column). A string in JSON; new codes can be added without breaking readers,
/// and a code read from an older or newer scan.json is kept as it is.
public struct FailureCode: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }

  public init(from decoder: any Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(String.self)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }

  public var description: String { rawValue }

  // The scan's own.
  /// Written by fleetports before it followed ProxyJump and ProxyCommand; kept so older scans read back.
  public static let proxyUnsupported = FailureCode(rawValue: "proxy-unsupported")
  /// ssh_config sets something for the host that fleetports cannot follow (Match exec, AddressFamily inet6, …); the message names file:line.
  public static let sshConfigUnsupported = FailureCode(rawValue: "ssh-config-unsupported")
  /// The host's ProxyJump or ProxyCommand cannot be used as written (a malformed `-J` list, a
  /// jump loop, an unknown `%` token); the message names the value.
  public static let proxyInvalid = FailureCode(rawValue: "proxy-invalid")
  /// `sudo -n` refused to run the probe.
  public static let sudoRefused = FailureCode(rawValue: "sudo-refused")
  /// The host answered, but what it printed is not probe output.
  public static let probeFailed = FailureCode(rawValue: "probe-failed")
  /// Ctrl-C came before the host finished (status `not-scanned`).
  public static let interrupted = FailureCode(rawValue: "interrupted")
  /// The host's `key=` file could not be read.
  public static let identityUnreadable = FailureCode(rawValue: "identity-unreadable")
  /// The probe printed more than the output cap (`fleetports local`), or login noise filled it before the probe did (scan).
  public static let outputTooLarge = FailureCode(rawValue: "output-too-large")
  /// `fleetports local`: `/bin/sh` could not be started.
  public static let shellFailed = FailureCode(rawValue: "shell-failed")
  /// A fault of fleetports itself; the message says what.
  public static let `internal` = FailureCode(rawValue: "internal")

  // The transport's (FleetPortsSSH's `SSHError.code`).
  public static let resolveFailed = FailureCode(rawValue: "resolve-failed")
  public static let connectionRefused = FailureCode(rawValue: "connection-refused")
  public static let unreachable = FailureCode(rawValue: "unreachable")
  /// `timeout-connect`, `timeout-handshake`, `timeout-authentication`, `timeout-command`.
  public static func timeout(phase: String) -> FailureCode { FailureCode(rawValue: "timeout-\(phase)") }
  public static let hostKeyUnknown = FailureCode(rawValue: "host-key-unknown")
  public static let hostKeyChanged = FailureCode(rawValue: "host-key-changed")
  public static let hostKeyRevoked = FailureCode(rawValue: "host-key-revoked")
  public static let hostCertificateUnsupported = FailureCode(rawValue: "host-certificate-unsupported")
  public static let authenticationFailed = FailureCode(rawValue: "auth-failed")
  public static let rsaKeyUnsupported = FailureCode(rawValue: "rsa-key-unsupported")
  public static let algorithmIncompatible = FailureCode(rawValue: "algorithm-incompatible")
  public static let channelRefused = FailureCode(rawValue: "channel-refused")
  public static let connectionLost = FailureCode(rawValue: "connection-lost")
  /// A jump host on the host's ProxyJump route failed (unreachable, host key, login); the
  /// message names the jump host and its reason.
  public static let jumpHostFailed = FailureCode(rawValue: "jump-host-failed")
  /// The host's ProxyCommand could not start or ended before SSH did; the message carries its stderr.
  public static let proxyCommandFailed = FailureCode(rawValue: "proxy-command-failed")
  public static let cancelled = FailureCode(rawValue: "cancelled")
  /// The controller itself could not do I/O (epoll, a thread, a descriptor limit); the message names the call and errno.
  public static let ioUnavailable = FailureCode(rawValue: "io-unavailable")
}
