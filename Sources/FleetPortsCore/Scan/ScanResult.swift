/// One scan of a fleet: what was asked, every host's outcome, and whether it was cut short.
/// This is `scan.json` (see docs/scan-json.md); `schemaVersion` changes when a field's
/// meaning changes, never silently.
public struct ScanResult: Hashable, Sendable, Codable {
  public static let currentSchemaVersion = 1

  public var schemaVersion: Int
  public var tool: String
  public var toolVersion: String
  /// UTC timestamps in ISO 8601, set by the caller (the core has no clock).
  public var startedAt: String
  public var finishedAt: String
  /// Ctrl-C stopped the scan: hosts not reached are listed with status `not-scanned`.
  public var interrupted: Bool
  public var options: ScanOptions
  public var hosts: [HostResult]
  /// What the analysis found (empty until it has run); suppressed ones included, marked.
  public var findings: [Finding] = []
  /// Notes about the analysis itself, e.g. expired policy suppressions.
  public var analysisNotes: [String] = []
  /// The fleet across hosts (port × host, services, reach counts, peer outliers); nil until analysed.
  public var aggregate: FleetAggregate?
  /// What changed since the previous stored scan; nil when there is none (or no history).
  public var changesSinceLast: ScanChanges?
  /// Set when this result is a fleet view merged from the newest scan of each shard
  /// (`FleetMerge`): which scans it was made of, and which shards are missing or stale.
  public var fleetView: FleetView?

  public init(
    toolVersion: String, startedAt: String, finishedAt: String, interrupted: Bool, options: ScanOptions, hosts: [HostResult]
  ) {
    self.schemaVersion = ScanResult.currentSchemaVersion
    self.tool = "fleetports"
    self.toolVersion = toolVersion
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.interrupted = interrupted
    self.options = options
    self.hosts = hosts.sorted(by: HostResult.order)
  }

  public var succeeded: [HostResult] { hosts.filter { $0.status == .ok } }
  public var failed: [HostResult] { hosts.filter { $0.status == .failed } }
}

/// The settings a scan ran with, kept so a report can say how it was made.
public struct ScanOptions: Hashable, Sendable, Codable {
  public var inventory: String
  public var method: ProbeMethod
  public var sudo: Bool
  public var parallel: Int
  public var timeoutSeconds: Double
  /// strict, accept-new or off; `per-host` when ssh_config's StrictHostKeyChecking gave hosts different modes.
  public var hostKeyChecking: String
  /// The fleet this scan is part of (`--fleet`, else the inventory file's name without its
  /// folder and extension); nil in scan.json files written before fleets were recorded.
  public var fleet: String?
  /// The shard of the fleet this scan covered (`ShardSelection.label`: `2/4`, `group:eu`);
  /// nil: the whole inventory.
  public var shard: String?

  public init(inventory: String, method: ProbeMethod, sudo: Bool, parallel: Int, timeoutSeconds: Double, hostKeyChecking: String) {
    self.inventory = inventory
    self.method = method
    self.sudo = sudo
    self.parallel = parallel
    self.timeoutSeconds = timeoutSeconds
    self.hostKeyChecking = hostKeyChecking
  }
}

/// One host's outcome: its snapshot, or why there is none.
public struct HostResult: Hashable, Sendable, Codable {
  public enum Status: String, Hashable, Sendable, Codable {
    case ok
    case failed
    /// The scan was interrupted before this host was tried.
    case notScanned = "not-scanned"
  }

  /// Why a host has no snapshot: a stable code for machines and a message for people.
  public struct Failure: Error, Hashable, Sendable, Codable {
    public var code: FailureCode
    public var message: String

    public init(code: FailureCode, message: String) {
      self.code = code
      self.message = message
    }
  }

  /// The name the inventory gave the host.
  public var name: String
  public var address: String
  public var port: Int
  public var user: String
  public var groups: [String]
  public var status: Status
  public var failure: Failure?
  public var durationSeconds: Double?
  public var hostKeyFingerprint: String?
  public var snapshot: HostSnapshot?
  /// In a fleet view (`report --fleet`): the shard whose scan this host comes from, and
  /// when that scan started (ISO 8601). nil in a single scan.
  public var shard: String?
  public var scannedAt: String?
  /// The host's listeners as the analysis made them (`Listener`); nil until analysed, and in
  /// scan.json files written before listeners were stored (`analysedListeners` covers both).
  public var listeners: [Listener]?
  /// The host's UDP client sockets (`Listener.udpClients(in:)`): unconnected UDP sockets the
  /// analysis judged clients', shown apart and not in `listeners`; nil until analysed.
  public var udpClientSockets: [Listener]?

  public init(
    name: String, address: String, port: Int, user: String, groups: [String], status: Status, failure: Failure? = nil,
    durationSeconds: Double? = nil, hostKeyFingerprint: String? = nil, snapshot: HostSnapshot? = nil
  ) {
    self.name = name
    self.address = address
    self.port = port
    self.user = user
    self.groups = groups
    self.status = status
    self.failure = failure
    self.durationSeconds = durationSeconds
    self.hostKeyFingerprint = hostKeyFingerprint
    self.snapshot = snapshot
  }

  /// The one order of hosts everywhere: by inventory name in natural order (`10.0.0.3`
  /// before `10.0.0.11`, `web-2` before `web-10`).
  public static func order(_ a: HostResult, _ b: HostResult) -> Bool {
    NaturalOrder.areInIncreasingOrder(a.name, b.name)
  }
}

extension ScanResult {
  enum CodingKeys: String, CodingKey {
    case schemaVersion, tool, toolVersion, startedAt, finishedAt, interrupted, options, hosts, findings, analysisNotes, aggregate
    case changesSinceLast, fleetView
  }

  /// Reads scan.json; fields added within schema version 1 (findings, analysisNotes, aggregate) may be absent.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
    tool = try container.decode(String.self, forKey: .tool)
    toolVersion = try container.decode(String.self, forKey: .toolVersion)
    startedAt = try container.decode(String.self, forKey: .startedAt)
    finishedAt = try container.decode(String.self, forKey: .finishedAt)
    interrupted = try container.decode(Bool.self, forKey: .interrupted)
    options = try container.decode(ScanOptions.self, forKey: .options)
    hosts = try container.decode([HostResult].self, forKey: .hosts)
    findings = try container.decodeIfPresent([Finding].self, forKey: .findings) ?? []
    analysisNotes = try container.decodeIfPresent([String].self, forKey: .analysisNotes) ?? []
    aggregate = try container.decodeIfPresent(FleetAggregate.self, forKey: .aggregate)
    changesSinceLast = try container.decodeIfPresent(ScanChanges.self, forKey: .changesSinceLast)
    fleetView = try container.decodeIfPresent(FleetView.self, forKey: .fleetView)
  }
}
