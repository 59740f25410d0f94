/// What `ScanDiff` compares of a scan, and what the history keeps of each scan for the next
/// one's diff (the `diffJSON` column): each host's status and failure, its listeners as binds
/// by slot, and the unsuppressed findings. A few KB a host where scan.json is ≈ 60 KB, so the
/// next scan decodes little (the previous form, `ScanResult.legacyDiffBasis()`, kept whole
/// listeners: decoding it was 5% of a 200-host scan's controller CPU).
///
/// As JSON (`ScanJSON.encode`): `{"diffBasisVersion": 2, "hosts": [{"name", "status",
/// "failure"?, "slots": [{"proto", "port"?, "path"?, "binds": [ListenerBind]}]}], "findings": […]}`.
public struct DiffBasis: Codable, Hashable, Sendable {
  /// 2 (version 1 was the scan itself cut down to hosts, listeners and findings).
  public var diffBasisVersion = 2
  public var hosts: [Host]
  /// The findings not suppressed, in the scan's order: suppressed ones never count as changes.
  public var findings: [Finding]

  /// One host: status, failure message, and its listener binds when it was scanned.
  public struct Host: Codable, Hashable, Sendable {
    public var name: String
    public var status: HostResult.Status
    /// The failure's message (`HostResult.failure`); nil when none.
    public var failure: String?
    /// Listener binds by slot, in slot order; empty unless the host was scanned.
    public var slots: [Slot]
  }

  /// A listener's place (protocol and port for IP, protocol and path for Unix sockets) and the
  /// binds there, one per address (owners of duplicates merged), sorted.
  public struct Slot: Codable, Hashable, Sendable {
    public var proto: SocketProtocol
    public var port: UInt16?
    public var path: String?
    public var binds: [ListenerBind]
  }

  /// The basis of `scan`: its hosts' analysed listeners as binds, its unsuppressed findings.
  public init(_ scan: ScanResult) {
    hosts = scan.hosts.map { host in
      let slots = host.status == .ok ? ScanDiff.binds(host.analysedListeners) : [:]
      return Host(
        name: host.name, status: host.status, failure: host.failure?.message,
        slots: slots.keys.sorted().map { slot in
          Slot(proto: slot.proto, port: slot.port, path: slot.path, binds: slots[slot, default: [:]].values.sorted())
        })
    }
    findings = scan.findings.filter { $0.suppressed == nil }
  }
}

extension DiffBasis.Host {
  /// The binds by slot and address, as `ScanDiff.compare` reads them.
  var bindsBySlot: [ScanDiff.Slot: [String: ListenerBind]] {
    var result: [ScanDiff.Slot: [String: ListenerBind]] = [:]
    for slot in slots {
      result[ScanDiff.Slot(proto: slot.proto, port: slot.port, path: slot.path)] = Dictionary(
        slot.binds.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
    }
    return result
  }
}

extension ScanResult {
  /// This scan as the next scan's diff reads it (`DiffBasis`).
  public func diffBasis() -> DiffBasis { DiffBasis(self) }

  /// The diff basis histories stored before `DiffBasis` (version 1): this scan cut down to
  /// hosts with their status, failure and listeners (no snapshot) and the findings. Readers
  /// still meet it in old rows (`DiffBasis(self)` of it is what they diff against); nothing
  /// writes it any more.
  public func legacyDiffBasis() -> ScanResult {
    var basis = self
    basis.changesSinceLast = nil
    basis.analysisNotes = []
    basis.aggregate = nil
    for index in basis.hosts.indices where basis.hosts[index].snapshot != nil {
      basis.hosts[index].listeners = basis.hosts[index].analysedListeners
      basis.hosts[index].snapshot = nil
    }
    return basis
  }
}
