extension Duration {
  /// The duration in seconds, fractions included (`Duration.milliseconds(1500).seconds == 1.5`).
  public var seconds: Double {
    Double(components.seconds) + Double(components.attoseconds) / 1e18
  }
}
