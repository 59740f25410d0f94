import Foundation

/// One listening socket the lab started on a host, exactly as `ss -tulnp` shows it
/// inside the host's network namespace.
public struct LabListener: Codable, Sendable, Hashable {
  /// "tcp" or "udp".
  public var proto: String
  /// The bind address as `ss` prints it without brackets: "0.0.0.0", "::", "127.0.0.1", "10.200.0.13".
  public var address: String
  public var port: Int
  /// The process name (comm), which may contain spaces, e.g. "web worker".
  public var process: String
  /// The user the owning process runs as.
  public var user: String
  /// Who the owner is (lab/fleetlab.py `owners_plan`); nil in truth files written before it.
  public var owner: LabOwner?

  public init(proto: String, address: String, port: Int, process: String, user: String, owner: LabOwner? = nil) {
    self.proto = proto
    self.address = address
    self.port = port
    self.process = process
    self.user = user
    self.owner = owner
  }

  public var isTCP: Bool { proto == "tcp" }
  public var isUDP: Bool { proto == "udp" }
  /// Bound to every address (IPv4 or IPv6 wildcard).
  public var isWildcard: Bool { address == "0.0.0.0" || address == "::" }
  public var isLoopback: Bool { address == "127.0.0.1" || address == "::1" }
}

/// The process that owns a lab listener, as the probe's identity section must read it.
public struct LabOwner: Codable, Sendable, Hashable {
  /// The kernel's comm ("web worker", "sshd", "stale-daemon").
  public var comm: String
  /// /proc/<pid>/exe without " (deleted)": /usr/sbin/sshd, the machine's python3, the stale copy.
  public var executable: String
  /// The effective user it runs as (services bind as root, then drop to it).
  public var user: String
  /// The systemd-like unit its cgroup names (`fplab-003-web-worker.service`).
  public var unit: String
  /// Its binary was deleted after it started (the `stale-daemon` service).
  public var deleted: Bool
}

/// An unconnected UDP socket bound to an ephemeral port by a client (not a listener).
public struct LabUDPClient: Codable, Sendable, Hashable {
  public var proto: String
  public var address: String
  public var process: String
  public var user: String
}

/// A listening Unix stream socket (filesystem path) the lab started on a host.
public struct LabUnixSocket: Codable, Sendable, Hashable {
  public var path: String
  /// Octal permission bits as a string, e.g. "0666".
  public var mode: String
  public var process: String
  public var user: String

  public init(path: String, mode: String, process: String, user: String) {
    self.path = path
    self.mode = mode
    self.process = process
    self.user = user
  }

  /// The permission bits as a number (0o666 for "0666").
  public var permissions: Int { Int(mode, radix: 8) ?? 0 }
  public var isWorldWritable: Bool { permissions & 0o002 != 0 }
}

/// The truth for one lab host.
public struct LabHost: Codable, Sendable, Hashable {
  public var index: Int
  /// The hostname seen over ssh, e.g. "lab-007"; also its Host alias in the lab ssh_config.
  public var name: String
  /// The network namespace, e.g. "fplab-007".
  public var namespace: String
  public var ipv4: String
  public var ipv6: String
  /// Inventory groups the host is listed under ("web" or "db").
  public var groups: [String]
  /// Host key algorithms the host's sshd offers, e.g. ["ssh-ed25519", "ecdsa-sha2-nistp256"].
  public var hostKeys: [String]
  /// Every TCP and UDP listener, sshd included.
  public var listeners: [LabListener]
  public var unixSockets: [LabUnixSocket]
  /// Sockets the lab left in CLOSE-WAIT on purpose.
  public var closeWait: Int
  /// Loopback connections held ESTABLISHED to port 80 (each is two ESTAB sockets).
  public var established: Int
  /// Whether TcpExt ListenOverflows was made to rise in this namespace.
  public var listenOverflow: Bool
  /// False on hosts whose sshd gives sessions a PATH without `ss` (i % 7 == 0).
  public var hasSS: Bool
  /// Names of the lab processes on the host, sshd first.
  public var processes: [String]
  /// The host's packet filter (issue 19), nil on hosts without one.
  public var firewall: LabFirewall?
  /// UDP client sockets (not listeners), their ports picked by the kernel; nil in older truth files.
  public var udpClients: [LabUDPClient]?

  /// Docker-like containers on the host (i % 12 == 6; lab/fleetlab.py `container_of`); absent
  /// in truth files from before containers.
  public var containers: [LabContainer]?

  enum CodingKeys: String, CodingKey {
    case index, name, namespace, ipv4, ipv6, groups, listeners, established, processes, firewall, containers
    case hostKeys = "host_keys"
    case unixSockets = "unix_sockets"
    case closeWait = "close_wait"
    case listenOverflow = "listen_overflow"
    case hasSS = "has_ss"
    case udpClients = "udp_clients"
  }

  public func listeners(port: Int) -> [LabListener] { listeners.filter { $0.port == port } }
  public var tcpListeners: [LabListener] { listeners.filter(\.isTCP) }
  public var udpListeners: [LabListener] { listeners.filter(\.isUDP) }
  public func isIn(group: String) -> Bool { groups.contains(group) }
}

/// A container on a lab host: a nested network namespace with a Docker-like cgroup
/// (lab/fleetlab.py `container_of`, lab/README.md).
public struct LabContainer: Codable, Sendable, Hashable {
  /// A port published from the host into the container (the docker-proxy and the DNAT).
  public struct Published: Codable, Sendable, Hashable {
    public var proto: String
    public var hostIP: String
    public var hostPort: Int
    public var containerIP: String

    enum CodingKeys: String, CodingKey {
      case proto
      case hostIP = "host_ip"
      case hostPort = "host_port"
      case containerIP = "container_ip"
    }
  }

  /// A listener inside the container, and what publishes it (nil: nothing).
  public struct Listener: Codable, Sendable, Hashable {
    public var proto: String
    public var address: String
    public var port: Int
    public var process: String
    public var user: String
    public var published: Published?
  }

  /// "docker".
  public var runtime: String
  /// 64 hex digits.
  public var id: String
  /// Its hostname, which fleetports reports as its name.
  public var name: String
  /// Its cgroup v2 path, e.g. /fleetlab.slice/docker-<id>.scope.
  public var cgroup: String
  /// Its address on the host's container bridge.
  public var address: String
  public var listeners: [Listener]
}

/// A lab host's packet filter (lab/fleetlab.py `firewall(i)`, lab/README.md).
public struct LabFirewall: Codable, Sendable, Hashable {
  /// `nftables`, `iptables-legacy` or `iptables-nft`.
  public var backend: String
  /// The rules as loaded (`nft -f` or `iptables-restore` input).
  public var rules: String
  /// `"tcp/5432": "blocked"`: each listed port's effective exposure from outside.
  public var expect: [String: String]
  /// For restricted ports: the accepted source prefixes.
  public var allowed: [String: [String]]?
  /// Ports a DNAT publishes past an INPUT deny.
  public var bypass: [Int]
}

/// The whole of `lab/run/truth.json`.
public struct LabTruth: Codable, Sendable, Hashable {
  public struct Bridge: Codable, Sendable, Hashable {
    public var name: String
    public var ipv4: String
    public var ipv6: String
  }

  public struct Users: Codable, Sendable, Hashable {
    /// Logs in by key, no sudo ("fpuser").
    public var unprivileged: String
    /// Logs in by key, passwordless sudo ("fpsudo").
    public var sudo: String
  }

  /// A user whose only authorized key is RSA, on some hosts, with sshd's default algorithms
  /// (issue 16: `ssh-rsa` refused, rsa-sha2 let in).
  public struct RSAUser: Codable, Sendable, Hashable {
    public var name: String
    /// The RSA private key, relative to the repository (`lab/run/id_rsa_user`).
    public var identity: String
    /// The hosts (names) that let the user in.
    public var hosts: [String]
  }

  public var version: Int
  public var count: Int
  public var bridge: Bridge
  public var users: Users
  public var hosts: [LabHost]
  /// nil for a lab written before the RSA user existed.
  public var rsaUser: RSAUser?

  enum CodingKeys: String, CodingKey {
    case version, count, bridge, users, hosts
    case rsaUser = "rsa_user"
  }

  public static func decode(_ data: Data) throws -> LabTruth {
    try JSONDecoder().decode(LabTruth.self, from: data)
  }
}
