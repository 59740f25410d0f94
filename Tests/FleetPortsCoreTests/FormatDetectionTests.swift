import FleetPortsCore
import Testing

@Suite struct FormatDetectionTests {
  /// Captures that are a tool's error message, not a table (Debian's busybox lacks -p).
  static let errorOutputs: Set<String> = [
    "netstat/debian12-root-busybox-1.35-tuanp.out", "netstat/debian12-root-busybox-1.35-tulnp.out",
    "netstat/debian12-root-busybox-1.35-xlp.out", "netstat/debian12-user-busybox-1.35-tuanp.out",
    "netstat/debian12-user-busybox-1.35-tulnp.out", "netstat/debian12-user-busybox-1.35-xlp.out",
  ]

  static func expectedFormat(_ path: String) -> Set<CaptureFormat> {
    if path.hasPrefix("ss/") { return [.ss] }
    if path.hasSuffix("-s.out") { return [.netstatStatistics] }
    if path.hasPrefix("netstat/") { return [.netstat] }
    if path.contains("-F") { return [.lsofFields] }
    if path.hasPrefix("lsof/") { return [.lsof] }
    if path.contains("net-tcp6") { return [.procNetTCP6] }
    if path.contains("net-tcp") { return [.procNetTCP] }
    // raw6 shares udp6's layout; only the section name tells them apart. The v4 raw header
    // has two blanks before `sl`, udp's three.
    if path.contains("net-udp6") || path.contains("net-raw6") { return [.procNetUDP6] }
    if path.contains("net-raw") { return [.procNetRaw] }
    if path.contains("net-udp") { return [.procNetUDP] }
    if path.contains("net-unix") { return [.procNetUnix] }
    return [.procNetCounters]
  }

  static func allCaptures() throws -> [String] {
    try ["ss", "netstat", "lsof", "proc"].flatMap { try FixtureFiles.all(in: $0) }
  }

  @Test func everyCaptureIsRecognisedAndReadWithoutLeftovers() throws {
    let captures = try Self.allCaptures()
    #expect(captures.count > 80)
    for path in captures {
      let bytes = try FixtureFiles.bytes(path)
      let detected = FormatDetector.detect(bytes)
      if Self.errorOutputs.contains(path) {
        #expect(detected == nil, "\(path) is an error message, detected as \(String(describing: detected))")
        continue
      }
      #expect(detected.map { Self.expectedFormat(path).contains($0) } == true, "\(path): detected \(String(describing: detected))")
      guard let parsed = CaptureParser.parse(bytes) else { continue }
      #expect(parsed.report.unparsedCount == 0, "\(path): \(parsed.report.unparsed.prefix(3))")
      #expect(!parsed.sockets.isEmpty || !parsed.counters.isEmpty, "\(path) yielded nothing")
    }
  }

  @Test func unrecognisableTextIsNil() {
    #expect(FormatDetector.detect(Array("hello world\nthis is not a socket table\n".utf8)) == nil)
    #expect(FormatDetector.detect([]) == nil)
  }
}
