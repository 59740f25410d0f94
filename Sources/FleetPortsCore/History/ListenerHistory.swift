/// One listener of one host across the stored scans: when it was first and last seen, and
/// whether the newest scan of the host still sees it.
public struct ListenerHistory: Hashable, Sendable, Codable {
  /// Where the listener stands in the newest scan that names the host.
  public enum State: String, Hashable, Sendable, Codable {
    /// The newest scan of the host saw it.
    case listening
    /// The host was scanned after the last sighting and the listener was not there.
    case gone
    /// The newest scan could not scan the host, so nobody knows.
    case unknown
  }

  /// A scan in which the listener was seen.
  public struct Sighting: Hashable, Sendable, Codable {
    public var scanID: Int64
    public var startedAt: String

    public init(scanID: Int64, startedAt: String) {
      self.scanID = scanID
      self.startedAt = startedAt
    }
  }

  public var proto: String
  public var address: String
  public var port: Int?
  public var firstSeen: Sighting
  public var lastSeen: Sighting
  /// Scans that saw it.
  public var sightings: Int
  /// Owners, user and reach at the last sighting.
  public var processes: String
  public var user: String?
  public var reach: String?
  public var state: State

  public init(
    proto: String, address: String, port: Int?, firstSeen: Sighting, lastSeen: Sighting, sightings: Int, processes: String,
    user: String?, reach: String?, state: State
  ) {
    self.proto = proto
    self.address = address
    self.port = port
    self.firstSeen = firstSeen
    self.lastSeen = lastSeen
    self.sightings = sightings
    self.processes = processes
    self.user = user
    self.reach = reach
    self.state = state
  }
}
