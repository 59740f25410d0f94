/// Puts a fleet back together from its shards' stored scans: one `ScanResult` with every
/// host once (each marked with its shard and scan time), every shard's findings, and a
/// `FleetView` saying which scans it was made of and which shards are missing or too old.
/// Pure: the scans and the clock's reading come in, the view goes out.
public enum FleetMerge {
  /// One shard's stored scan: its summary (id, start, `shard` label) and the scan itself.
  public typealias ShardScan = (summary: StoredScan, scan: ScanResult)

  /// Merges `shards` (at most one scan per shard label: the one the view should show) into one
  /// scan of `fleet`. `now` is seconds since 1970; a shard whose scan started more than
  /// `maxAgeSeconds` before it is called stale. Hash shards of another count than the newest
  /// scan's (`1/2` beside `1/4`) are left out and said so; a host found in two shards is taken
  /// from the newer scan.
  public static func merge(fleet: String, shards: [ShardScan], now: Double, maxAgeSeconds: Double?) -> ScanResult? {
    guard let newest = shards.max(by: { $0.summary.startedEpoch < $1.summary.startedEpoch }) else { return nil }
    var warnings: [String] = []
    // The split in force is the newest hash-sharded scan's `N`.
    let count = shards.sorted { $0.summary.startedEpoch > $1.summary.startedEpoch }.lazy.compactMap {
      ShardSelection.hashLabel($0.summary.shard ?? "")?.count
    }.first
    var taken: [ShardScan] = []
    for shard in shards {
      let label = shard.summary.shard ?? "whole"
      if let count, let parsed = ShardSelection.hashLabel(label), parsed.count != count {
        warnings.append("shard \(label) (scan #\(shard.summary.id)) left out: the newest scans split the fleet into \(count)")
        continue
      }
      taken.append(shard)
    }
    var views: [FleetView.Shard] = []
    for shard in taken {
      let label = shard.summary.shard ?? "whole"
      var state = FleetView.Shard.State.current
      if let maxAgeSeconds, now - shard.summary.startedEpoch > maxAgeSeconds {
        state = .stale
        warnings.append(
          "shard \(label) is stale: its newest scan #\(shard.summary.id) started \(shard.summary.startedAt), \(age(now - shard.summary.startedEpoch)) ago (bound \(age(maxAgeSeconds)))"
        )
      }
      if shard.scan.interrupted {
        warnings.append("shard \(label): scan #\(shard.summary.id) was interrupted; hosts not reached are listed as not scanned")
      }
      views.append(
        .init(label: label, scanID: shard.summary.id, startedAt: shard.summary.startedAt, hosts: shard.scan.hosts.count, state: state))
    }
    if let count {
      let present = Set(views.map(\.label))
      for index in 1...count where !present.contains("\(index)/\(count)") {
        views.append(.init(label: "\(index)/\(count)", scanID: nil, startedAt: nil, hosts: 0, state: .missing))
        warnings.append("shard \(index)/\(count) is missing: no stored scan of fleet \(fleet) covers it, so its hosts are not in this view")
      }
    }
    views.sort(by: shardOrder)

    // Every host once: from the newest scan that has it.
    var owner: [String: Int64] = [:]
    var hosts: [HostResult] = []
    for shard in taken.sorted(by: { $0.summary.startedEpoch > $1.summary.startedEpoch }) {
      for var host in shard.scan.hosts {
        if let other = owner[host.name] {
          if other != shard.summary.id {
            warnings.append("host \(host.name) is in two shards (scans #\(other) and #\(shard.summary.id)); the newer scan's is shown")
          }
          continue
        }
        owner[host.name] = shard.summary.id
        host.shard = shard.summary.shard ?? "whole"
        host.scannedAt = shard.summary.startedAt
        hosts.append(host)
      }
    }
    var findings: [Finding] = []
    var notes: [String] = []
    for shard in taken.sorted(by: { shardOrder(label($0), label($1)) }) {
      findings += shard.scan.findings.filter { owner[$0.host] == shard.summary.id }
      for note in shard.scan.analysisNotes where !notes.contains(note) { notes.append(note) }
    }
    let inventories = Array(Set(taken.map(\.scan.options.inventory))).sorted()
    var options = newest.scan.options
    options.inventory = inventories.joined(separator: ", ")
    options.fleet = fleet
    options.shard = nil
    let started = taken.min { $0.summary.startedEpoch < $1.summary.startedEpoch } ?? newest
    var merged = ScanResult(
      toolVersion: newest.scan.toolVersion, startedAt: started.scan.startedAt,
      finishedAt: taken.map(\.scan.finishedAt).max() ?? newest.scan.finishedAt,
      interrupted: taken.contains { $0.scan.interrupted }, options: options, hosts: hosts)
    merged.findings = findings.sorted(by: Finding.order)
    merged.analysisNotes = warnings.map { "fleet \(fleet): \($0)" } + notes
    merged.aggregate = merged.fleetAggregate
    merged.fleetView = FleetView(fleet: fleet, shards: views, warnings: warnings)
    return merged
  }

  static func label(_ shard: ShardScan) -> FleetView.Shard {
    .init(label: shard.summary.shard ?? "whole", scanID: shard.summary.id, startedAt: nil, hosts: 0, state: .current)
  }

  /// `1/4` … `4/4` by number, then group labels by name.
  static func shardOrder(_ a: FleetView.Shard, _ b: FleetView.Shard) -> Bool {
    switch (ShardSelection.hashLabel(a.label), ShardSelection.hashLabel(b.label)) {
    case (.some(let x), .some(let y)): return (x.count, x.index) < (y.count, y.index)
    case (.some, nil): return true
    case (nil, .some): return false
    case (nil, nil): return NaturalOrder.areInIncreasingOrder(a.label, b.label)
    }
  }

  /// `3h 12m`, `2d 4h`, `45s`: an age as the warnings say it.
  static func age(_ seconds: Double) -> String {
    let total = Int(max(0, seconds))
    let (days, hours, minutes) = (total / 86_400, total % 86_400 / 3600, total % 3600 / 60)
    if days > 0 { return "\(days)d \(hours)h" }
    if hours > 0 { return "\(hours)h \(minutes)m" }
    if minutes > 0 { return "\(minutes)m" }
    return "\(total)s"
  }
}
