/// A network namespace of the host other than the probe's own (a container's, a pod's),
/// whose socket tables the probe read through one member process.
public struct NetworkNamespace: Hashable, Sendable, Codable {
  /// The namespace's inode (`readlink /proc/<pid>/ns/net` → `net:[4026532746]`).
  public var inode: UInt64
  /// The member process whose /proc/<pid>/net tables were read (the first found).
  public var readerPID: Int32
  /// The container of that process, from its cgroup and hostname; nil when none is named.
  public var container: ContainerIdentity?
  /// The namespace's own addresses (its /proc/<pid>/net/fib_trie), to find what a published
  /// port's container address leads to.
  public var addresses: [String]

  public init(inode: UInt64, readerPID: Int32, container: ContainerIdentity?, addresses: [String]) {
    self.inode = inode
    self.readerPID = readerPID
    self.container = container
    self.addresses = addresses
  }
}

/// What the probe learned about the host's other network namespaces: which it read, what
/// it could not see, and the ports published into containers.
public struct NamespaceScan: Hashable, Sendable, Codable {
  /// The probe's own namespace (the host's); nil when no other namespace was found (the
  /// probe asks for inodes only then).
  public var hostInode: UInt64?
  public var namespaces: [NetworkNamespace]
  /// Processes whose namespace the probe may not inspect (not root): their listeners are
  /// unknown, not absent.
  public var hiddenProcesses: Int
  /// Processes in namespaces past the probe's cap of 16 namespaces: not read.
  public var processesInUnreadNamespaces: Int
  /// Processes in other namespaces past the cap of 256: their sockets have no owner.
  public var processesNotRead: Bool
  /// Docker publications from docker-proxy command lines.
  public var publications: [PortPublication]

  public init(
    hostInode: UInt64? = nil, namespaces: [NetworkNamespace] = [], hiddenProcesses: Int = 0, processesInUnreadNamespaces: Int = 0,
    processesNotRead: Bool = false, publications: [PortPublication] = []
  ) {
    self.hostInode = hostInode
    self.namespaces = namespaces
    self.hiddenProcesses = hiddenProcesses
    self.processesInUnreadNamespaces = processesInUnreadNamespaces
    self.processesNotRead = processesNotRead
    self.publications = publications
  }

  /// True when every namespace on the host was read (none hidden, none past the cap).
  public var isComplete: Bool { hiddenProcesses == 0 && processesInUnreadNamespaces == 0 }
}
