/// Turns one host's probe output into a `HostSnapshot`: the kernel's socket tables are the
/// list of sockets, the attribution tool's output names their owners, and everything that
/// could not be read is recorded in the provenance instead of being dropped.
public enum SnapshotAssembler {
  /// How many unparsed lines a section report keeps as examples.
  static let problemExamples = 5

  public static func assemble(_ output: ProbeOutput) -> HostSnapshot {
    var problems = output.problems
    var degraded: [String] = []
    var meta = output.meta ?? ProbeMeta()
    // One stat read the Unix sockets' modes, the owners' links and the shell's executable.
    let stat = output[.stat].map { StatSection.parse($0.body) }
    if meta.shell == nil { meta.shell = stat?.shell }
    if stat?.distrusted == true {
      degraded.append(
        "stat printed a line it could not have written (a name held a newline): Unix socket modes and owners' executables are unknown")
    }
    if output[.meta] == nil { degraded.append("the probe printed no meta section") }
    if !output.finished { degraded.append("the probe did not run to its end (output cut off)") }
    let options = ParseOptions(procByteOrder: meta.procByteOrder)
    var reports: [Provenance.SectionReport] = []
    var counters = KernelCounters()

    func parse(_ section: ProbeSection, as format: CaptureFormat) -> SocketParse {
      let parsed = section.body.withUnsafeBufferPointer { CaptureParser.parse($0, as: format, options: options) }
      reports.append(report(section, parsed.report))
      return parsed
    }

    // 1. The kernel's tables: the sockets that exist. A table cut at the section cap is
    // still read (listeners come first in it); one that is missing is made up for below.
    // With method ss the TCP table may be ss's netlink dump instead (`tcpSource`).
    let tcpSource = self.tcpSource(output)
    if let reason = tcpSource.distrust { problems.append("TCP sockets read from /proc/net/tcp* instead of ss: \(reason)") }
    var sockets: [SocketRecord] = []
    var ssTCPTable: [SocketRecord] = []
    var tablesRead = 0
    var tablesMissing: Set<TableKind> = []
    for (name, format) in ProbeScript.procNetSections {
      let kind = TableKind(format)
      if tcpSource == .ss, kind?.proto == .tcp {
        tablesRead += 1
        continue
      }
      guard let section = output[name] else {
        degraded.append("section \(name) is missing")
        if let kind { tablesMissing.insert(kind) }
        continue
      }
      guard section.exitCode == 0 || section.truncated else {
        reports.append(report(section, nil))
        degraded.append("\(name) could not be read (exit \(section.exitCode.map(String.init) ?? "?")): \(firstLine(section.body))")
        if let kind { tablesMissing.insert(kind) }
        continue
      }
      if section.truncated { degraded.append("\(name) was cut at \(section.body.count) bytes: sockets after that are missing") }
      let parsed = parse(section, as: format)
      if format == .procNetCounters {
        // The first table's counters are taken as they are: merging them into an empty
        // dictionary would hash every key again.
        if counters.values.isEmpty {
          counters.values = parsed.counters.values
        } else {
          counters.values.merge(parsed.counters.values) { _, new in new }
        }
      } else {
        sockets += parsed.sockets
        tablesRead += 1
      }
    }
    let kernelTablesRead = tablesRead >= 4

    // 2. Owners, from the tool the probe chose.
    var owners: [SocketRecord] = []
    var ownersByInode: [UInt64: [OwningProcess]] = [:]
    var toolRan = false
    var toolSaidNotRoot = false
    for name in (meta.method ?? .auto).readableSections {
      guard let section = output[name] else { continue }
      if name == .procFD {
        let table = ProcFdTable.parse(section.body)
        reports.append(report(section, table.report))
        for (inode, processes) in table.owners { ownersByInode[inode, default: []] += processes }
        toolRan = section.exitCode == 0 || !table.owners.isEmpty
        continue
      }
      guard let format = section.captureFormat else { continue }
      // A tool that failed outright (127: not installed) printed an error, not a table.
      if section.exitCode != 0 && FormatDetector.detect(section.body) != format {
        reports.append(report(section, nil))
        problems.append("\(name) did not run (exit \(section.exitCode.map(String.init) ?? "?")): \(firstLine(section.body))")
        continue
      }
      var parsed = parse(section, as: format)
      if format == .ss {
        // ss prints a TCP listener's backlog as its Send-Q; keep it where analysis can see it.
        for i in parsed.sockets.indices where parsed.sockets[i].proto == .tcp && parsed.sockets[i].state == .listen {
          parsed.sockets[i].listenBacklog = parsed.sockets[i].sendQueue
        }
      }
      if format == .ss, tcpSource == .ss { ssTCPTable += SSTCPTable.tcpSockets(parsed.sockets) }
      owners += parsed.sockets
      if parsed.report.ownersOfOtherUsersHidden { toolSaidNotRoot = true }
      if section.exitCode == 0 || !parsed.sockets.isEmpty { toolRan = true }
      if section.exitCode != 0 { problems.append("\(name) exited \(section.exitCode.map(String.init) ?? "?"): \(firstLine(section.body))") }
    }

    // 3. Merge: each kernel socket takes the owners the tool reported for it; for a table
    // the kernel did not give us, the tool's own records stand in.
    if kernelTablesRead {
      // ss's TCP lines stand in for a missing TCP table only if the probe did not distrust them.
      let standIns = owners.filter { record in
        guard let kind = TableKind(record), tablesMissing.contains(kind) else { return false }
        return !(tcpSource.distrust != nil && kind.proto == .tcp)
      }
      if !standIns.isEmpty {
        problems.append("\(standIns.count) sockets taken from the attribution tool because their kernel table was missing")
      }
      let index = OwnerIndex(owners)
      for i in sockets.indices {
        if let inode = sockets[i].inode, let processes = ownersByInode[inode] {
          sockets[i].processes = processes
          continue
        }
        if let match = index.match(sockets[i]) {
          sockets[i].processes = match.processes
          sockets[i].dataLoss.formUnion(match.dataLoss)
          if sockets[i].user == nil { sockets[i].user = match.user }
          if sockets[i].state == .listen, sockets[i].listenBacklog == nil { sockets[i].listenBacklog = match.listenBacklog }
          // Only current ss tells `[::]` (IPV6_V6ONLY) from `*` (dual-stack); /proc/net shows
          // both as `::`. The parser sets ipv6Only only for those two forms.
          if sockets[i].local?.address == .wildcard(.ipv6), let only = match.ipv6Only { sockets[i].ipv6Only = only }
        }
      }
      // ss's TCP table carries its owners already: added after the merge, not matched to itself.
      sockets += ssTCPTable
      sockets += standIns
    } else {
      degraded.append("the kernel's socket tables were not readable: sockets come from the attribution tool alone")
      sockets = owners
    }

    // 4. The host's other network namespaces (containers): their own tables and owners.
    let namespaces = assembleNamespaces(output, options: options, reports: &reports, problems: &problems)
    sockets += namespaces.sockets
    if let scan = namespaces.scan, !meta.isRoot, scan.hiddenProcesses > 0 {
      problems.append("network namespaces of \(scan.hiddenProcesses) processes not readable (not root): their listeners are unknown")
    }

    // 5. Who the owners are, containers' included: each owner named by its comm from the identity
    // section, so every method (netstat's cut argv[0], lsof's 9-character COMMAND) names it alike.
    var identities: ProcessIdentityTable?
    if let section = output[.processIdentity] {
      let table = ProcessIdentityParser.parse(section.body + (stat?.linkLines ?? []))
      reports.append(report(section, table.report))
      identities = table
      OwnerNames.apply(table.processes, to: &sockets)
    }

    // 6. Unix socket modes and interface addresses.
    let modes = stat?.unixModes ?? output[.unixModes].map { UnixSocketModeParser.parse($0.body) } ?? []
    var addresses: [InterfaceAddress] = []
    // `ip -o addr` when it ran (it names every interface), else what /proc gives.
    if let section = output[.addressesIP], section.exitCode == 0 { addresses = InterfaceAddressParser.parse(section.body) }
    if addresses.isEmpty {
      for name in [ProbeSectionName.addressesIfInet6, .addressesIPv4, .addressesFibTrie] {
        if let section = output[name], section.exitCode == 0 { addresses += InterfaceAddressParser.parse(section.body) }
      }
    }
    if addresses.isEmpty { problems.append("no interface addresses found: reach of wildcard binds cannot be judged") }

    let attribution: Provenance.Attribution
    if !toolRan {
      attribution = .none
    } else if !meta.isRoot || toolSaidNotRoot {
      attribution = .partial
    } else {
      attribution = .complete
    }
    var versions: [String: String] = [:]
    if let v = meta.ssVersion { versions["ss"] = v }
    if let v = meta.netstatVersion { versions["netstat"] = v }
    if let v = meta.lsofVersion { versions["lsof"] = v }
    let provenance = Provenance(
      method: meta.method, attribution: attribution, isRoot: meta.isRoot, kernelTablesRead: kernelTablesRead,
      toolVersions: versions, sections: reports, problems: problems, degraded: degraded)
    let firewall = FirewallSnapshot.assemble(output, isRoot: meta.isRoot)
    return HostSnapshot(
      meta: meta, addresses: addresses, sockets: sockets, unixSocketModes: modes, counters: counters, provenance: provenance,
      firewall: firewall, namespaces: namespaces.scan, processes: identities?.processes, ephemeralPorts: identities?.ephemeralPorts)
  }

  /// Where a probe of method ss took its TCP sockets from (`ProbeSectionName.tcpSource`).
  enum TCPSource: Equatable {
    /// ss's netlink dump, complete and exit 0: its TCP lines are the TCP table.
    case ss
    /// /proc/net/tcp and tcp6, for the reason the probe gave (empty: a probe before the section).
    case procNet(reason: String)
    /// /proc/net/tcp and tcp6 because they cost the host less than ss -e's walk of its cgroups
    /// (`proc-net-cheaper <why>`): a choice, not a distrust.
    case procNetCheaper

    /// Why the probe distrusted ss's lines; nil when it trusted them or never judged them.
    var distrust: String? {
      if case .procNet(let reason) = self, !reason.isEmpty { return reason }
      return nil
    }
  }

  static func tcpSource(_ output: ProbeOutput) -> TCPSource {
    guard let section = output[.tcpSource], section.exitCode == 0 else { return .procNet(reason: "") }
    var body = section.body.prefix(300)
    while body.last == 10 { body.removeLast() }
    let text = TerminalText.sanitize(String(decoding: body, as: UTF8.self))
    guard text == "ss" else {
      if text.hasPrefix("proc-net-cheaper") { return .procNetCheaper }
      return .procNet(reason: text.hasPrefix("proc-net") ? String(text.dropFirst(8).drop { $0 == " " }) : text)
    }
    // The probe trusted ss's lines; without ss's whole section there is nothing to trust.
    guard let ss = output[.ss], ss.exitCode == 0, ss.complete, !ss.truncated else {
      return .procNet(reason: "the ss section is missing or cut")
    }
    return .ss
  }

  static func report(_ section: ProbeSection, _ parse: ParseReport?) -> Provenance.SectionReport {
    Provenance.SectionReport(
      name: section.name, exitCode: section.exitCode, bytes: section.body.count, truncated: section.truncated,
      complete: section.complete, linesRead: parse?.linesRead ?? 0, linesNotUnderstood: parse?.unparsedCount ?? 0,
      firstProblems: Array(parse?.unparsed.prefix(problemExamples) ?? []))
  }

  static func firstLine(_ bytes: [UInt8]) -> String {
    let line = bytes.prefix { $0 != 10 }.prefix(200)
    return TerminalText.sanitize(String(decoding: line, as: UTF8.self))
  }
}

/// Which kernel table a socket belongs in: /proc/net has one per protocol and family.
struct TableKind: Hashable {
  var proto: SocketProtocol
  var family: IPFamily?

  init?(_ format: CaptureFormat) {
    switch format {
    case .procNetTCP: (proto, family) = (.tcp, .ipv4)
    case .procNetTCP6: (proto, family) = (.tcp, .ipv6)
    case .procNetUDP: (proto, family) = (.udp, .ipv4)
    case .procNetUDP6: (proto, family) = (.udp, .ipv6)
    case .procNetRaw: (proto, family) = (.raw, .ipv4)
    case .procNetRaw6: (proto, family) = (.raw, .ipv6)
    case .procNetUnix: (proto, family) = (.unix, nil)
    default: return nil
    }
  }

  /// A tool's record; `*` (either family) counts as IPv6, the table dual-stack sockets live in.
  init?(_ record: SocketRecord) {
    proto = record.proto
    family = record.proto == .unix ? nil : (record.family ?? .ipv6)
  }
}

/// Finds the tool's record for a kernel socket: by inode when the tool printed one, else by
/// protocol and both endpoints (zones dropped: /proc/net has none; ss's `*` matches either family).
struct OwnerIndex {
  struct Key: Hashable {
    var proto: SocketProtocol
    var family: IPFamily?
    var local: String
    var peer: String
  }

  var byInode: [UInt64: SocketRecord] = [:]
  var byKey: [Key: SocketRecord] = [:]

  init(_ records: [SocketRecord]) {
    for record in records {
      if let inode = record.inode, inode != 0 { byInode[inode] = merged(byInode[inode], record) }
      if let key = OwnerIndex.key(record, family: record.family) { byKey[key] = merged(byKey[key], record) }
    }
  }

  /// The same socket seen twice (a v4 and a v6 line of one lsof file set) keeps all owners.
  private func merged(_ existing: SocketRecord?, _ record: SocketRecord) -> SocketRecord {
    guard var existing else { return record }
    for owner in record.processes where !existing.processes.contains(owner) { existing.processes.append(owner) }
    return existing
  }

  func match(_ socket: SocketRecord) -> SocketRecord? {
    if let inode = socket.inode, inode != 0, let found = byInode[inode] { return found }
    if let key = OwnerIndex.key(socket, family: socket.family), let found = byKey[key] { return found }
    if let key = OwnerIndex.key(socket, family: nil), let found = byKey[key] { return found }
    return nil
  }

  static func key(_ record: SocketRecord, family: IPFamily?) -> Key? {
    if let unix = record.unix {
      guard let inode = record.inode else { return nil }
      return Key(proto: .unix, family: nil, local: unix.path ?? "", peer: String(inode))
    }
    guard let local = record.local else { return nil }
    // "No peer" is spelled three ways (lsof prints none, ss `*:*`, /proc/net 0.0.0.0:0).
    let peer = record.peer.flatMap { $0.address.isWildcard && $0.port == nil ? nil : $0 }
    return Key(proto: record.proto, family: family, local: text(local), peer: peer.map(text) ?? "*")
  }

  static func text(_ endpoint: Endpoint) -> String {
    let address: String
    switch endpoint.address {
    case .wildcard: address = "*"
    case .ipv4(let v4, _): address = v4.description
    case .ipv6(let v6, _): address = v6.description
    case .ipv4Mapped(let v4): address = "::ffff:\(v4)"
    case .text(let text): address = text
    }
    return "\(address):\(endpoint.port.map(String.init) ?? "*")"
  }
}
