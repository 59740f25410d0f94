extension SnapshotAssembler {
  /// The tables of each other network namespace the probe read (`netns-<pid>-<file>`), each
  /// socket marked with its namespace and container and owned by the processes `netns-fd`
  /// names for its inode; the namespaces themselves, and the docker-proxy publications.
  /// Nil scan when the probe printed no `netns` section (an older probe).
  static func assembleNamespaces(
    _ output: ProbeOutput, options: ParseOptions, reports: inout [Provenance.SectionReport], problems: inout [String]
  ) -> (scan: NamespaceScan?, sockets: [SocketRecord]) {
    guard let section = output[.netns] else { return (nil, []) }
    let facts = ProbeNetnsSection.parse(section.body)
    reports.append(report(section, facts.report))
    var owners: [UInt64: [OwningProcess]] = [:]
    if let fd = output[.netnsFD] {
      let table = ProcFdTable.parse(fd.body)
      reports.append(report(fd, table.report))
      owners = table.owners
    }
    func container(_ pid: Int32) -> ContainerIdentity? {
      guard let cgroup = facts.cgroups[pid], let found = ContainerCgroup.container(cgroup) else { return nil }
      return facts.hostnames[pid].map(found.named(byHostname:)) ?? found
    }
    let tables: [(file: String, format: CaptureFormat)] = [
      ("tcp", .procNetTCP), ("tcp6", .procNetTCP6), ("udp", .procNetUDP), ("udp6", .procNetUDP6), ("unix", .procNetUnix),
    ]
    var namespaces: [NetworkNamespace] = []
    var sockets: [SocketRecord] = []
    for reader in facts.readers {
      guard let inode = facts.inodes[reader] else {
        problems.append("network namespace of pid \(reader): no inode, its tables were not read")
        continue
      }
      let holder = container(reader)
      for (file, format) in tables {
        let name = ProbeSectionName.netnsTable(reader, file)
        guard let table = output[name] else { continue }
        guard table.exitCode == 0 || table.truncated else {
          reports.append(report(table, nil))
          problems.append("\(name) could not be read (exit \(table.exitCode.map(String.init) ?? "?")): \(firstLine(table.body))")
          continue
        }
        let parsed = table.body.withUnsafeBufferPointer { CaptureParser.parse($0, as: format, options: options) }
        reports.append(report(table, parsed.report))
        for var socket in parsed.sockets {
          socket.netns = inode
          if let socketInode = socket.inode, let processes = owners[socketInode] { socket.processes = processes }
          socket.container = socket.processes.lazy.compactMap { $0.pid.flatMap(container) }.first ?? holder
          sockets.append(socket)
        }
      }
      var addresses: [String] = []
      if let trie = output[.netnsTable(reader, "fib_trie")], trie.exitCode == 0 {
        addresses = InterfaceAddressParser.parse(trie.body).map(\.address.description)
      }
      namespaces.append(NetworkNamespace(inode: inode, readerPID: reader, container: holder, addresses: addresses))
    }
    let publications = facts.proxies.compactMap { DockerProxyCommand.publication($0.arguments, pid: $0.pid) }
    let scan = NamespaceScan(
      hostInode: facts.hostInode, namespaces: namespaces, hiddenProcesses: facts.hiddenProcesses,
      processesInUnreadNamespaces: facts.processesInUnreadNamespaces, processesNotRead: facts.processCount >= 256,
      publications: publications)
    if facts.processesInUnreadNamespaces > 0 {
      problems.append("\(facts.processesInUnreadNamespaces) processes in network namespaces past the probe's cap of 16: not read")
    }
    return (scan, sockets)
  }
}
