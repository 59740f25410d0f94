/// One entry point for every capture format: detect (or take) the format, run its parser.
public enum CaptureParser {
  /// Parses `bytes` as `format`, or as the detected format when `format` is nil.
  /// Returns nil when no format was given and none could be recognised.
  public static func parse(_ bytes: [UInt8], as format: CaptureFormat? = nil, options: ParseOptions = ParseOptions()) -> SocketParse? {
    bytes.withUnsafeBufferPointer { buffer in
      guard let chosen = format ?? FormatDetector.detect(buffer) else { return nil }
      return parse(buffer, as: chosen, options: options)
    }
  }

  public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, as format: CaptureFormat, options: ParseOptions = ParseOptions()) -> SocketParse {
    switch format {
    case .ss: return SSParser.parse(buffer, options: options)
    case .netstat: return NetstatParser.parse(buffer, options: options)
    case .netstatStatistics: return NetstatStatisticsParser.parse(buffer)
    case .lsof: return LsofTextParser.parse(buffer)
    case .lsofFields: return LsofFieldParser.parse(buffer)
    case .procNetTCP: return ProcNetSocketParser.parse(buffer, proto: .tcp, family: .ipv4, options: options)
    case .procNetTCP6: return ProcNetSocketParser.parse(buffer, proto: .tcp, family: .ipv6, options: options)
    case .procNetUDP: return ProcNetSocketParser.parse(buffer, proto: .udp, family: .ipv4, options: options)
    case .procNetUDP6: return ProcNetSocketParser.parse(buffer, proto: .udp, family: .ipv6, options: options)
    case .procNetRaw: return ProcNetSocketParser.parse(buffer, proto: .raw, family: .ipv4, options: options)
    case .procNetRaw6: return ProcNetSocketParser.parse(buffer, proto: .raw, family: .ipv6, options: options)
    case .procNetUnix: return ProcNetUnixParser.parse(buffer)
    case .procNetSCTPEndpoints: return ProcNetSCTPParser.parse(buffer)
    case .procNetCounters: return ProcNetCounterParser.parse(buffer)
    }
  }
}
