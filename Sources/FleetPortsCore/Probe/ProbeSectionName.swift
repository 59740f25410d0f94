/// The name of one section of probe output: the wire contract between `ProbeScript`, which
/// prints the sections, and `ProbeOutput` and `SnapshotAssembler`, which read them. Names are
/// plain text in the output (`@@fp:<nonce><key>:begin:proc-net-tcp@@`); a name the tool does
/// not know (a newer probe's) is kept as text.
public struct ProbeSectionName: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public var description: String { rawValue }

  /// `key=value` facts about the host and the probe (`ProbeMeta`).
  public static let meta = ProbeSectionName(rawValue: "meta")
  /// `ip -o addr show`: the host's interface addresses.
  public static let addressesIP = ProbeSectionName(rawValue: "addresses-ip")
  /// /proc/net/if_inet6 and /proc/net/fib_trie: the addresses where `ip` is missing.
  public static let addressesIfInet6 = ProbeSectionName(rawValue: "addresses-if-inet6")
  public static let addressesFibTrie = ProbeSectionName(rawValue: "addresses-fib-trie")
  /// Attribution, one per method: `ss -tuaxnp`, `netstat -tuanpW`, `lsof -F0`, /proc/<pid>/fd.
  public static let ss = ProbeSectionName(rawValue: "ss")
  public static let netstat = ProbeSectionName(rawValue: "netstat")
  public static let lsof = ProbeSectionName(rawValue: "lsof")
  public static let procFD = ProbeSectionName(rawValue: "proc-fd")
  /// What earlier probes printed before one `ss` did TCP, UDP and Unix sockets.
  public static let ssTuanp = ProbeSectionName(rawValue: "ss-tuanp")
  public static let ssXlp = ProbeSectionName(rawValue: "ss-xlp")
  /// `stat` of every listening Unix socket's path: mode and owner.
  public static let unixModes = ProbeSectionName(rawValue: "unix-modes")

  /// The prefix of the /proc/net sections: `proc-net-tcp` holds /proc/net/tcp.
  public static let procNetPrefix = "proc-net-"
  /// The section holding /proc/net/`file`.
  public static func procNet(_ file: String) -> ProbeSectionName { ProbeSectionName(rawValue: procNetPrefix + file) }
}
