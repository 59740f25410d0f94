/// What kind of service a listener is, which decides the rules that look at it.
public enum ServiceCategory: String, Hashable, Sendable, Codable, CaseIterable {
  /// Databases, caches, search and coordination stores: never meant for the open network.
  case datastore
  /// Control planes whose API gives control of the machine (docker, kubelet).
  case adminAPI = "admin-api"
  case remoteAccess = "remote-access"
  case web
  case timeSync = "time-sync"
  case dns
  case fileSharing = "file-sharing"
  case other
}

/// A service fleetports recognises: the process names it runs under and its usual ports.
public struct KnownService: Hashable, Sendable, Codable {
  /// A short stable name, e.g. `postgres`, `docker-api`.
  public var name: String
  public var category: ServiceCategory
  /// Process names (`comm`) that run it.
  public var processes: [String]
  public var tcpPorts: [UInt16]
  public var udpPorts: [UInt16]
  /// When true, the process alone is not enough: it must listen on one of the ports
  /// (dockerd is only the remote Docker API on 2375/2376).
  public var processNeedsPort: Bool
  /// UDP ports on which this service answers small queries with large replies.
  public var amplifierUDPPorts: [UInt16]

  public init(
    name: String, category: ServiceCategory, processes: [String], tcpPorts: [UInt16] = [], udpPorts: [UInt16] = [],
    processNeedsPort: Bool = false, amplifierUDPPorts: [UInt16] = []
  ) {
    self.name = name
    self.category = category
    self.processes = processes
    self.tcpPorts = tcpPorts
    self.udpPorts = udpPorts
    self.processNeedsPort = processNeedsPort
    self.amplifierUDPPorts = amplifierUDPPorts
  }

  public func ports(_ proto: SocketProtocol) -> [UInt16] {
    switch proto {
    case .tcp: return tcpPorts
    case .udp: return udpPorts
    default: return []
    }
  }
}

/// The services fleetports knows by process name and port.
public enum ServiceCatalog {
  public static let services: [KnownService] = [
    KnownService(name: "postgres", category: .datastore, processes: ["postgres", "postmaster"], tcpPorts: [5432]),
    KnownService(name: "mysql", category: .datastore, processes: ["mysqld", "mariadbd", "mysqld_safe"], tcpPorts: [3306, 33060]),
    KnownService(name: "redis", category: .datastore, processes: ["redis-server", "valkey-server", "keydb-server"], tcpPorts: [6379]),
    KnownService(name: "mongodb", category: .datastore, processes: ["mongod", "mongos"], tcpPorts: [27017, 27018, 27019]),
    KnownService(
      name: "memcached", category: .datastore, processes: ["memcached"], tcpPorts: [11211], udpPorts: [11211],
      amplifierUDPPorts: [11211]),
    KnownService(name: "elasticsearch", category: .datastore, processes: ["elasticsearch", "opensearch"], tcpPorts: [9200, 9300]),
    KnownService(name: "etcd", category: .datastore, processes: ["etcd"], tcpPorts: [2379, 2380]),
    KnownService(name: "couchdb", category: .datastore, processes: ["couchdb"], tcpPorts: [5984]),
    KnownService(name: "influxdb", category: .datastore, processes: ["influxd"], tcpPorts: [8086]),
    KnownService(name: "clickhouse", category: .datastore, processes: ["clickhouse-server", "clickhouse"], tcpPorts: [8123, 9000]),
    KnownService(name: "cassandra", category: .datastore, processes: ["cassandra"], tcpPorts: [9042]),
    KnownService(name: "zookeeper", category: .datastore, processes: ["zookeeper"], tcpPorts: [2181]),
    KnownService(
      name: "docker-api", category: .adminAPI, processes: ["dockerd"], tcpPorts: [2375, 2376], processNeedsPort: true),
    KnownService(name: "kubelet", category: .adminAPI, processes: ["kubelet"], tcpPorts: [10250, 10255], processNeedsPort: true),
    KnownService(name: "ssh", category: .remoteAccess, processes: ["sshd", "dropbear"], tcpPorts: [22]),
    KnownService(name: "nginx", category: .web, processes: ["nginx"], tcpPorts: []),
    KnownService(name: "apache", category: .web, processes: ["apache2", "httpd"], tcpPorts: []),
    KnownService(name: "http", category: .web, processes: [], tcpPorts: [80, 443, 8080, 8443]),
    KnownService(
      name: "ntp", category: .timeSync, processes: ["ntpd", "chronyd", "ntpsec", "openntpd"], udpPorts: [123],
      amplifierUDPPorts: [123]),
    KnownService(
      name: "dns", category: .dns, processes: ["dnsmasq", "named", "unbound", "pdns_recursor", "knotd", "coredns"],
      tcpPorts: [53], udpPorts: [53], amplifierUDPPorts: [53]),
    KnownService(name: "rpcbind", category: .other, processes: ["rpcbind", "portmap"], tcpPorts: [111], udpPorts: [111], amplifierUDPPorts: [111]),
    KnownService(name: "smb", category: .fileSharing, processes: ["smbd", "nmbd"], tcpPorts: [139, 445], udpPorts: [137, 138]),
    KnownService(name: "ssdp", category: .other, processes: ["minissdpd", "miniupnpd"], udpPorts: [1900], amplifierUDPPorts: [1900]),
    KnownService(name: "chargen", category: .other, processes: [], tcpPorts: [19], udpPorts: [19], amplifierUDPPorts: [19]),
    KnownService(name: "snmp", category: .other, processes: ["snmpd"], udpPorts: [161], amplifierUDPPorts: [161]),
  ]

  /// Runtimes that run many different services: their name says nothing, so the port is used
  /// as a hint (elasticsearch under `java`, a container port published by `docker-proxy`).
  public static let genericRuntimes: Set<String> = [
    "java", "python", "python2", "python3", "node", "nodejs", "ruby", "perl", "php", "beam.smp", "dotnet", "mono",
    "docker-proxy", "rootlessport", "slirp4netns", "pasta",
    // Socket activators hold the listening socket for the service they start.
    "systemd", "inetd", "xinetd",
  ]
}
