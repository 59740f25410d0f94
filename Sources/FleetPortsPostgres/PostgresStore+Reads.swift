import FleetPortsCore
import FleetPortsStore
import Foundation
import NIOCore
import PostgresNIO

extension PostgresStore {
  /// A scan's summary columns and its unsuppressed findings by severity (`high=2,low=1`), one row a scan.
  static let summarySelect = """
    SELECT id, startedAt, startedEpoch, finishedAt, inventory, interrupted, hostsOK, hostsFailed, hostsNotScanned, listenerCount,
           \(PostgresSchema.fleet), \(PostgresSchema.shard),
           COALESCE((SELECT string_agg(severity || '=' || n, ',') FROM
                      (SELECT severity, COUNT(*) AS n FROM finding f WHERE f.scanId = scan.id AND NOT suppressed GROUP BY severity) c), '')
    FROM scan
    """

  /// The summaries `tail` (WHERE/ORDER BY, with its binds) selects.
  func summaries(_ tail: PostgresQuery) throws -> [StoredScan] {
    try run(PostgresQuery(unsafeSQL: PostgresStore.summarySelect + " " + tail.sql, binds: tail.binds)).map { row in
      let cells = row.makeRandomAccess()
      var findings: [Severity: Int] = [:]
      for pair in try cells[12].decode(String.self).split(separator: ",") {
        let parts = pair.split(separator: "=")
        if parts.count == 2, let severity = Severity(rawValue: String(parts[0])), let count = Int(parts[1]) { findings[severity] = count }
      }
      return StoredScan(
        id: try cells[0].decode(Int64.self), startedAt: try cells[1].decode(String.self), startedEpoch: try cells[2].decode(Double.self),
        finishedAt: try cells[3].decode(String.self), inventory: try cells[4].decode(String.self),
        interrupted: try cells[5].decode(Bool.self),
        hostsOK: try cells[6].decode(Int.self), hostsFailed: try cells[7].decode(Int.self), hostsNotScanned: try cells[8].decode(Int.self),
        listeners: try cells[9].decode(Int.self), findings: findings, fleet: try cells[10].decode(String?.self),
        shard: try cells[11].decode(String?.self))
    }
  }

  public func scans(limit: Int?) throws(StoreError) -> [StoredScan] {
    try locked("listing the scans") {
      if let limit { return try summaries("ORDER BY id DESC LIMIT \(limit)") }
      return try summaries("ORDER BY id DESC")
    }
  }

  public func summary(id: Int64) throws(StoreError) -> StoredScan {
    try locked("reading scan \(id)") {
      guard let found = try summaries("WHERE id = \(id)").first else { throw StoreError.unknownScan(id: id, available: try allIDs()) }
      return found
    }
  }

  public func ids() throws(StoreError) -> [Int64] {
    try locked("listing the scans") { try allIDs() }
  }

  func allIDs() throws -> [Int64] {
    try run("SELECT id FROM scan ORDER BY id").map { try $0.decode(Int64.self) }
  }

  public func scanJSON(id: Int64) throws(StoreError) -> [UInt8] {
    try locked("reading scan \(id)") { try bytes(column: "scanJSON", id: id) }
  }

  public func scan(id: Int64) throws(StoreError) -> ScanResult {
    try locked("reading scan \(id)") { try decode(try bytes(column: "scanJSON", id: id), id: id) }
  }

  /// One scan's scan.json (`scanJSON`) or diff basis (`diffJSON`; nil-able) bytes.
  func bytes(column: String, id: Int64) throws -> [UInt8] {
    guard let row = try run(PostgresQuery(unsafeSQL: "SELECT \(column) FROM scan WHERE id = $1", binds: binds(id))).first else {
      throw StoreError.unknownScan(id: id, available: try allIDs())
    }
    guard let buffer = try row.decode(ByteBuffer?.self) else { return [] }
    return Array(buffer.readableBytesView)
  }

  /// A stored scan as `ScanDiff` needs it: its stored diff basis, else (a scan stored before
  /// there was one) the basis of the whole scan.
  func diffBasis(id: Int64) throws -> DiffBasis {
    let basis = try bytes(column: "diffJSON", id: id)
    if basis.isEmpty { return DiffBasis(try decode(try bytes(column: "scanJSON", id: id), id: id)) }
    return try DiffBasisJSON.decode(Data(basis), id: id)
  }

  func decode(_ bytes: [UInt8], id: Int64) throws -> ScanResult {
    do {
      return try JSONDecoder().decode(ScanResult.self, from: Data(bytes))
    } catch {
      throw StoreError.unreadableScan(id: id, reason: "\(error)")
    }
  }

  func binds(_ id: Int64) -> PostgresBindings {
    var binds = PostgresBindings()
    binds.append(id)
    return binds
  }

  public func newest(startedAtOrBefore epoch: Double) throws(StoreError) -> StoredScan? {
    try locked("finding an older scan") {
      try summaries("WHERE startedEpoch <= \(epoch) ORDER BY startedEpoch DESC, id DESC LIMIT 1").first
    }
  }

  public func hostNames() throws(StoreError) -> [String] {
    try locked("listing the hosts") { try run("SELECT DISTINCT name FROM host ORDER BY name").map { try $0.decode(String.self) } }
  }

  public func shardScans(fleet: String, rank: Int, throughID: Int64?) throws(StoreError) -> [StoredScan] {
    try locked("reading the shards of fleet \(fleet)") {
      try summaries(
        """
        WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY \(unescaped: PostgresSchema.shard) ORDER BY id DESC) AS rank
                                     FROM scan WHERE \(unescaped: PostgresSchema.fleet) = \(fleet) AND \(unescaped: PostgresSchema.shard) IS NOT NULL
                                           AND id <= \(throughID ?? Int64.max)) ranked
                     WHERE rank = \(rank + 1))
        ORDER BY id
        """)
    }
  }

  public func fleets() throws(StoreError) -> [String] {
    try locked("listing the fleets") {
      try run(
        PostgresQuery(
          unsafeSQL: "SELECT DISTINCT \(PostgresSchema.fleet) AS f FROM scan WHERE \(PostgresSchema.shard) IS NOT NULL ORDER BY f")
      ).map { try $0.decode(String.self) }
    }
  }

  public func history(host: String) throws(StoreError) -> [ListenerHistory] {
    try locked("reading the history of \(host)") {
      let newest = try run("SELECT MAX(scanId) FROM host WHERE name = \(host)").first?.decode(Int64?.self) ?? nil
      let newestOK = try run("SELECT MAX(scanId) FROM host WHERE name = \(host) AND status = 'ok'").first?.decode(Int64?.self) ?? nil
      guard let newest else { return [] }
      let startedAt = { (id: Int64) throws -> String in
        try self.run("SELECT startedAt FROM scan WHERE id = \(id)").first?.decode(String.self) ?? "?"
      }
      // NULLS FIRST: the order SQLite gives, so both stores list a host's history alike.
      let groups = try run(
        """
        SELECT proto, address, port, MIN(scanId), MAX(scanId), COUNT(DISTINCT scanId)
        FROM listener WHERE host = \(host) GROUP BY proto, address, port ORDER BY proto, port NULLS FIRST, address
        """)
      return try groups.map { row in
        let (proto, address, port, first, last, seen) = try row.decode((String, String, Int?, Int64, Int64, Int).self)
        let latest = try run(
          """
          SELECT processes, "user", reach FROM listener
          WHERE host = \(host) AND proto = \(proto) AND address = \(address) AND port IS NOT DISTINCT FROM \(port) AND scanId = \(last) LIMIT 1
          """
        ).first.map { try $0.decode((String, String?, String?).self) }
        let state: ListenerHistory.State = last == newestOK ? (newest == newestOK ? .listening : .unknown) : .gone
        return ListenerHistory(
          proto: proto, address: address, port: port, firstSeen: .init(scanID: first, startedAt: try startedAt(first)),
          lastSeen: .init(scanID: last, startedAt: try startedAt(last)), sightings: seen, processes: latest?.0 ?? "",
          user: latest?.1 ?? nil,
          reach: latest?.2 ?? nil, state: state)
      }
    }
  }

  public func trend(inventory: String, shard: String?, throughID: Int64?, limit: Int) throws(StoreError) -> ScanTrend {
    try locked("reading the trend of \(inventory)") {
      let ids = try run(
        """
        SELECT id, startedAt FROM scan
        WHERE inventory = \(inventory) AND \(unescaped: PostgresSchema.shard) IS NOT DISTINCT FROM \(shard) AND id <= \(throughID ?? Int64.max)
        ORDER BY id DESC LIMIT \(max(1, limit))
        """
      ).map { try $0.decode((Int64, String).self) }
      guard let oldest = ids.last?.0, let newest = ids.first?.0 else { return ScanTrend(points: []) }
      var listeners: [Int64: Int] = [:]
      for row in try run(
        """
        SELECT scanId, COUNT(*) FROM listener
        WHERE scanId BETWEEN \(oldest) AND \(newest) AND reach IS NOT NULL AND reach <> 'loopback' GROUP BY scanId
        """)
      {
        let (id, count) = try row.decode((Int64, Int).self)
        listeners[id] = count
      }
      var findings: [Int64: [Severity: Int]] = [:]
      for row in try run(
        """
        SELECT scanId, severity, COUNT(*) FROM finding
        WHERE scanId BETWEEN \(oldest) AND \(newest) AND NOT suppressed GROUP BY scanId, severity
        """)
      {
        let (id, severity, count) = try row.decode((Int64, String, Int).self)
        if let severity = Severity(rawValue: severity) { findings[id, default: [:]][severity] = count }
      }
      let points = ids.reversed().map { id, startedAt in
        ScanTrend.Point(scanID: id, startedAt: startedAt, listenersBeyondLoopback: listeners[id] ?? 0, findings: findings[id] ?? [:])
      }
      return ScanTrend(points: points)
    }
  }

  public func prune(_ rules: PruneRules, now: Double, vacuum: Bool) throws(StoreError) -> [StoredScan] {
    let removed = try transaction("pruning") { () throws -> [StoredScan] in
      let scans = try summaries("ORDER BY id DESC")
      let victims = rules.victims(scans, now: now)
      if !victims.isEmpty { try run("DELETE FROM scan WHERE id = ANY(\(victims))") }
      let gone = Set(victims)
      return scans.filter { gone.contains($0.id) }
    }
    if vacuum { _ = try locked("VACUUM") { try run("VACUUM") } }
    return removed
  }
}
