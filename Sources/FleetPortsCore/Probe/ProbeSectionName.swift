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
  /// The IPv4 addresses the probe's awk joined from /proc/net/fib_trie and /proc/net/route, as
  /// `ip -o addr` lines (`0: eth0 inet 192.0.2.2/24`; see `ProbeScript.oneAwk`).
  public static let addressesIPv4 = ProbeSectionName(rawValue: "addresses-ipv4")
  /// Attribution, one per method: `ss -tuaxnp`, `netstat -tuanpW`, `lsof -F0`, /proc/<pid>/fd.
  public static let ss = ProbeSectionName(rawValue: "ss")
  public static let netstat = ProbeSectionName(rawValue: "netstat")
  public static let lsof = ProbeSectionName(rawValue: "lsof")
  public static let procFD = ProbeSectionName(rawValue: "proc-fd")
  /// With method ss, where the TCP sockets come from: `ss` (its netlink dump, `ss -tuaxnpe`,
  /// stands for /proc/net/tcp and tcp6, which the probe then does not read) or `proc-net
  /// <reason>` (ss failed or its output could have been forged: /proc/net/tcp* follow it).
  public static let tcpSource = ProbeSectionName(rawValue: "tcp-source")
  /// What earlier probes printed before one `ss` did TCP, UDP and Unix sockets.
  public static let ssTuanp = ProbeSectionName(rawValue: "ss-tuanp")
  public static let ssXlp = ProbeSectionName(rawValue: "ss-xlp")
  /// Who the owners are: for every pid the attribution tool named, its comm, executable,
  /// argv, users, parent, start, cgroups and network namespace (`ProcessIdentityParser`).
  public static let processIdentity = ProbeSectionName(rawValue: "proc-ids")
  /// `stat` of every listening Unix socket's path: mode and owner.
  public static let unixModes = ProbeSectionName(rawValue: "unix-modes")
  /// One `stat -c '%a %U %G %N'` of the shell's executable, the listening Unix sockets' paths
  /// and the owners' /proc/P/exe and /proc/P/ns/net links (`StatSection`).
  public static let stat = ProbeSectionName(rawValue: "stat")

  /// As root only, each named `fw-<tool>` (`fp_fw` spells the iptables names from the tool's
  /// name, to keep the script short).
  /// `nft -j list ruleset`:
  public static let firewallNft = ProbeSectionName(rawValue: "fw-nft")
  /// `iptables-nft-save` / `ip6tables-nft-save`: the nf_tables backend in full detail.
  public static let firewallIptablesNft = ProbeSectionName(rawValue: "fw-iptables-nft-save")
  public static let firewallIp6tablesNft = ProbeSectionName(rawValue: "fw-ip6tables-nft-save")
  /// `iptables-legacy-save` / `ip6tables-legacy-save`, only when legacy tables exist.
  public static let firewallIptablesLegacy = ProbeSectionName(rawValue: "fw-iptables-legacy-save")
  public static let firewallIp6tablesLegacy = ProbeSectionName(rawValue: "fw-ip6tables-legacy-save")
  /// `iptables-save` / `ip6tables-save` on hosts without `iptables-nft-save`, when legacy tables exist.
  public static let firewallIptables = ProbeSectionName(rawValue: "fw-iptables-save")
  public static let firewallIp6tables = ProbeSectionName(rawValue: "fw-ip6tables-save")
  /// As root, when no firewall tool ran: what the probe checked (`nf_tables no, …`: the kernel
  /// has no nf_tables and no legacy tables list, so there are no rules).
  public static let firewallNone = ProbeSectionName(rawValue: "fw-none")
  /// Every firewall section, in the order `FirewallSnapshot` merges them (nft first).
  public static let firewallSections: [ProbeSectionName] = [
    firewallNft, firewallIptablesNft, firewallIp6tablesNft, firewallIptablesLegacy, firewallIp6tablesLegacy, firewallIptables,
    firewallIp6tables,
  ]

  /// The network namespaces other than the probe's own (`ProbeNetns`), and the owners of
  /// their sockets (`pid inode comm`, as `proc-fd`) among the processes found in them.
  public static let netns = ProbeSectionName(rawValue: "netns")
  public static let netnsFD = ProbeSectionName(rawValue: "netns-fd")
  /// /proc/`pid`/net/`file` of another namespace, read through its member `pid`.
  public static func netnsTable(_ pid: Int32, _ file: String) -> ProbeSectionName {
    ProbeSectionName(rawValue: "netns-\(pid)-\(file)")
  }

  /// The prefix of the /proc/net sections: `proc-net-tcp` holds /proc/net/tcp.
  public static let procNetPrefix = "proc-net-"
  /// The section holding /proc/net/`file`.
  public static func procNet(_ file: String) -> ProbeSectionName { ProbeSectionName(rawValue: procNetPrefix + file) }
}
