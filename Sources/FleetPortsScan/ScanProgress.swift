/// What the scanner tells its caller as hosts finish, for progress bars and logs.
public struct ScanProgress: Sendable {
  public var done: Int
  public var total: Int
  public var failed: Int
  public var elapsedSeconds: Double
  /// The host that just finished, and how.
  public var lastHost: String
  public var lastStatus: String
}
