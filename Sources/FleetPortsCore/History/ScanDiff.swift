/// Compares two scans (pure: two values in, one value out).
public enum ScanDiff {
  /// What changed from `old` to `new` (hosts, listeners, findings), labelled `oldLabel` and
  /// `newLabel` (`#6 (2026-11-30T02:00:00Z)`); the same as the changes between their bases.
  public static func changes(from old: ScanResult, to new: ScanResult, oldLabel: String, newLabel: String) -> ScanChanges {
    changes(from: DiffBasis(old), to: DiffBasis(new), oldLabel: oldLabel, newLabel: newLabel)
  }

  /// The changes between two scans' bases (`DiffBasis`): what the history stores of the
  /// previous scan is all a diff reads.
  public static func changes(from old: DiffBasis, to new: DiffBasis, oldLabel: String, newLabel: String) -> ScanChanges {
    var hostChanges: [HostChange] = []
    var listenerChanges: [ListenerChange] = []
    let oldHosts = Dictionary(old.hosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    let newHosts = Dictionary(new.hosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    for name in Set(oldHosts.keys).union(newHosts.keys).sorted(by: NaturalOrder.areInIncreasingOrder) {
      switch (oldHosts[name], newHosts[name]) {
      case (nil, .some):
        hostChanges.append(HostChange(kind: .appeared, host: name))
      case (.some, nil):
        hostChanges.append(HostChange(kind: .vanished, host: name))
      case (.some(let before), .some(let after)):
        if before.status == .ok, after.status == .failed {
          hostChanges.append(HostChange(kind: .nowUnreachable, host: name, detail: after.failure))
        } else if before.status == .failed, after.status == .ok {
          hostChanges.append(HostChange(kind: .reachableAgain, host: name))
        }
        // Listeners are compared only where both scans saw the host.
        if before.status == .ok, after.status == .ok {
          listenerChanges += compare(host: name, old: before.bindsBySlot, new: after.bindsBySlot)
        }
      case (nil, nil):
        break
      }
    }
    return ScanChanges(
      old: oldLabel, new: newLabel, hosts: hostChanges, listeners: listenerChanges,
      findings: findingChanges(old: old.findings, new: new.findings))
  }

  /// A listener's place: protocol and port for IP, protocol and path for Unix sockets.
  struct Slot: Hashable, Comparable {
    var proto: SocketProtocol
    var port: UInt16?
    var path: String?

    static func < (lhs: Slot, rhs: Slot) -> Bool {
      (lhs.proto.rawValue, lhs.port ?? 0, lhs.path ?? "") < (rhs.proto.rawValue, rhs.port ?? 0, rhs.path ?? "")
    }
  }

  /// Every listener by slot, one bind per address (owners of duplicates merged).
  static func binds(_ listeners: [Listener]) -> [Slot: [String: ListenerBind]] {
    var result: [Slot: [String: ListenerBind]] = [:]
    for listener in listeners {
      let slot: Slot
      if listener.proto == .unix {
        guard listener.socket.unix?.path != nil else { continue }
        slot = Slot(proto: .unix, port: nil, path: listener.bind)
      } else {
        guard let port = listener.port else { continue }
        slot = Slot(proto: listener.proto, port: port, path: nil)
      }
      // A container's listener is its own bind of the slot, named by the container (its name
      // survives a restart; its id and namespace inode do not): `0.0.0.0 in container web`.
      let address = listener.bind + (listener.netns == nil ? "" : " in container " + (listener.container?.label ?? "?"))
      var bind = result[slot]?[address] ?? ListenerBind(address: address, reach: listener.reach?.reach, processes: [])
      bind.processes = Array(Set(bind.processes).union(listener.ownerNames)).sorted()
      if listener.owners != nil { bind.owners = Array(Set(bind.owners ?? []).union(listener.ownerKeys)).sorted() }
      if let exposure = listener.exposure, bind.exposure.map({ exposure.kind > $0 }) ?? true {
        bind.exposure = exposure.kind
        bind.exposureSummary = exposure.summary
      }
      result[slot, default: [:]][address] = bind
    }
    return result
  }

  static func compare(host: String, old: [Slot: [String: ListenerBind]], new: [Slot: [String: ListenerBind]]) -> [ListenerChange] {
    var changes: [ListenerChange] = []
    for slot in Set(old.keys).union(new.keys).sorted() {
      let before = old[slot] ?? [:]
      let after = new[slot] ?? [:]
      func change(_ kind: ListenerChange.Kind, _ b: [ListenerBind], _ a: [ListenerBind]) {
        changes.append(ListenerChange(kind: kind, host: host, proto: slot.proto, port: slot.port, before: b.sorted(), after: a.sorted()))
      }
      if Set(before.keys) != Set(after.keys) {
        let widest = { (binds: [String: ListenerBind]) in binds.values.compactMap(\.reach).max() }
        let (oldReach, newReach) = (widest(before), widest(after))
        if !before.isEmpty, !after.isEmpty, let oldReach, let newReach, oldReach != newReach {
          change(newReach > oldReach ? .bindWidened : .bindNarrowed, Array(before.values), Array(after.values))
          continue
        }
        for (address, bind) in after where before[address] == nil { change(.new, [], [bind]) }
        for (address, bind) in before where after[address] == nil { change(.closed, [bind], []) }
        continue
      }
      // Same binds: an owner change counts only when both scans saw owners. Where both read
      // process identities, owners are (executable, unit, container): a restarted daemon or
      // a recreated container is the same owner; else their names.
      let keyed = { (binds: [String: ListenerBind]) in binds.values.allSatisfy { $0.owners != nil } }
      if keyed(before), keyed(after) {
        let oldOwners = Set(before.values.flatMap { $0.owners ?? [] })
        let newOwners = Set(after.values.flatMap { $0.owners ?? [] })
        if !oldOwners.isEmpty, !newOwners.isEmpty, oldOwners != newOwners {
          change(.ownerChanged, Array(before.values), Array(after.values))
        }
      } else {
        let oldOwners = Set(before.values.flatMap(\.processes))
        let newOwners = Set(after.values.flatMap(\.processes))
        if !oldOwners.isEmpty, !newOwners.isEmpty, oldOwners != newOwners {
          change(.ownerChanged, Array(before.values), Array(after.values))
        }
      }
      // Same binds: the firewall changed what reaches them. Only where both scans read the
      // rules: unknown → blocked is a scan that gained root, not a firewall change.
      let judged = { (binds: [String: ListenerBind]) in
        binds.mapValues(\.exposure).compactMapValues { $0 }.filter { $0.value != .unknown }
      }
      let (oldExposure, newExposure) = (judged(before), judged(after))
      if !oldExposure.isEmpty, Set(oldExposure.keys) == Set(newExposure.keys), oldExposure != newExposure {
        change(.exposureChanged, Array(before.values), Array(after.values))
      }
    }
    return changes
  }

  /// A finding's identity across scans: rule, host and socket, not its wording.
  struct FindingKey: Hashable {
    var rule: String
    var host: String
    var proto: SocketProtocol?
    var address: String?
    var port: UInt16?

    init(_ finding: Finding) {
      rule = finding.ruleID
      host = finding.host
      proto = finding.socket?.proto
      address = finding.socket?.address
      port = finding.socket?.port
    }
  }

  static func findingChanges(old: [Finding], new: [Finding]) -> [FindingChange] {
    let before = Dictionary(old.filter { $0.suppressed == nil }.map { (FindingKey($0), $0) }, uniquingKeysWith: { first, _ in first })
    let after = Dictionary(new.filter { $0.suppressed == nil }.map { (FindingKey($0), $0) }, uniquingKeysWith: { first, _ in first })
    var changes = after.filter { before[$0.key] == nil }.map { FindingChange(kind: .new, finding: $0.value) }
    changes += before.filter { after[$0.key] == nil }.map { FindingChange(kind: .resolved, finding: $0.value) }
    return changes.sorted { $0.kind != $1.kind ? $0.kind.rawValue < $1.kind.rawValue : Finding.order($0.finding, $1.finding) }
  }
}
