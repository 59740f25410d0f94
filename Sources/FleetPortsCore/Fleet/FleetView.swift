/// What a fleet view (`report --fleet`, `diff --fleet`) was made of: the fleet's name and,
/// for each shard, the stored scan it took (or that there was none, or that it is too old).
/// Kept in the merged scan.json (`fleetView`) so every report format can say it.
public struct FleetView: Hashable, Sendable, Codable {
  /// One shard of the fleet as the view saw it.
  public struct Shard: Hashable, Sendable, Codable {
    /// How the shard's scan is fresh enough, too old, or absent.
    public enum State: String, Hashable, Sendable, Codable {
      case current
      /// Its newest scan started longer ago than `--max-shard-age`.
      case stale
      /// A `K/N` shard with no stored scan: its hosts are not in the view.
      case missing
    }

    /// `2/4` or `group:eu-west` (`ShardSelection.label`).
    public var label: String
    /// The stored scan taken for this shard; nil when missing.
    public var scanID: Int64?
    /// That scan's start (ISO 8601); nil when missing.
    public var startedAt: String?
    /// Hosts the scan covered.
    public var hosts: Int
    public var state: State

    public init(label: String, scanID: Int64?, startedAt: String?, hosts: Int, state: State) {
      self.label = label
      self.scanID = scanID
      self.startedAt = startedAt
      self.hosts = hosts
      self.state = state
    }
  }

  public var fleet: String
  /// In shard order: `1/4` … `4/4`, then groups by name.
  public var shards: [Shard]
  /// Missing, stale, interrupted or overlapping shards in words, as the report and stderr print them.
  public var warnings: [String]

  public init(fleet: String, shards: [Shard], warnings: [String]) {
    self.fleet = fleet
    self.shards = shards
    self.warnings = warnings
  }
}
