/// What a socket-table parser returns: the sockets it read and its report on the rest.
public struct SocketParse: Hashable, Sendable, Codable {
  public var format: CaptureFormat
  public var sockets: [SocketRecord]
  public var counters: KernelCounters
  public var report: ParseReport

  public init(
    format: CaptureFormat, sockets: [SocketRecord] = [], counters: KernelCounters = KernelCounters(),
    report: ParseReport = ParseReport()
  ) {
    self.format = format
    self.sockets = sockets
    self.counters = counters
    self.report = report
  }
}

/// Facts about a capture that its text alone cannot tell.
public struct ParseOptions: Hashable, Sendable {
  /// The protocol to assume when a tool printed no protocol column (`ss -t`, `ss -u` with one family).
  public var assumedProtocol: SocketProtocol?
  /// The byte order of the host that wrote /proc/net hex addresses (little on x86 and arm64).
  public var procByteOrder: ByteOrder

  /// Byte order of a host's kernel.
  public enum ByteOrder: String, Hashable, Sendable, Codable {
    case little
    case big
  }

  public init(assumedProtocol: SocketProtocol? = nil, procByteOrder: ByteOrder = .little) {
    self.assumedProtocol = assumedProtocol
    self.procByteOrder = procByteOrder
  }
}
