import FleetPortsCore
import Testing

/// Remote output is hostile input: every parser must finish, never crash, and account for
/// every line (understood, ignored, or reported as not understood).
@Suite struct HostileInputTests {
  /// SplitMix64: a small seeded generator so failures reproduce.
  struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  static let formats = CaptureFormat.allCases

  /// Lines in the input as forEachLine counts them: a final unterminated line counts.
  static func lineCount(_ bytes: [UInt8]) -> Int {
    guard !bytes.isEmpty else { return 0 }
    let newlines = bytes.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
    return bytes.last == 10 ? newlines : newlines + 1
  }

  static func checkAccounting(_ bytes: [UInt8], _ label: String) {
    for format in formats {
      let parsed = bytes.withUnsafeBufferPointer { CaptureParser.parse($0, as: format) }
      let report = parsed.report
      #expect(report.linesRead == lineCount(bytes), "\(label) as \(format): read \(report.linesRead) of \(lineCount(bytes)) lines")
      let unaccounted = report.linesRead - report.linesUnderstood - report.linesIgnored
      #expect(unaccounted >= 0, "\(label) as \(format): understood+ignored exceed lines read")
      #expect(report.unparsedCount >= unaccounted, "\(label) as \(format): \(unaccounted) lines neither understood, ignored nor reported")
    }
  }

  @Test func randomBytes() {
    var generator = SeededGenerator(state: 42)
    for round in 0..<60 {
      let length = Int.random(in: 0..<4096, using: &generator)
      let alphabet: [UInt8] = Array(" \t\n\r:[]()\",=*%@/0123456789abcdefABCDEF.-_users:pidfdLISTENESTABtcpudpu_str".utf8) + [0, 0xff, 0xc3]
      let bytes = (0..<length).map { _ in
        Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
      }
      Self.checkAccounting(bytes, "random round \(round)")
      _ = FormatDetector.detect(bytes)
    }
  }

  @Test func mutatedRealFixtures() throws {
    var generator = SeededGenerator(state: 7)
    let sources = [
      "consistency/ss-tuanp.out", "consistency/ss-xap.out", "consistency/netstat-tuanpW.out", "consistency/lsof-i-F.out",
      "consistency/proc-net-tcp6.out", "consistency/proc-net-unix.out", "lsof/debian12-root-c0-i-P-n.out",
      "lsof/debian12-root-i-P-n-F0pcuLfnPtT.out", "netstat/debian12-root-s.out", "proc/debian12-root-net-netstat.out",
      // issue 15's kinds: field subsets, -T qs, timers, other netids, names, sock rows, -e, sctp eps, swapped order
      "issue15/lsof-i-nP-FpctPn.out", "issue15/lsof-i-nP-F0pcfn.out", "issue15/lsof-i-nP-Tqs.out",
      "issue15/netstat-tulpeno.out", "issue15/ss-anp.out", "issue15/ss-tl.out", "issue15/lsof-i.out",
      "issue15/lsof-nP-p-worker-outside-netns.out", "issue15/ss-tulpne.out", "issue15/proc-net-sctp-eps-WRITTEN.out",
      "issue15/proc-net-tcp6-WRITTEN-big-endian.out", "issue15/empty-proc-net-raw6.out",
    ]
    for source in sources {
      let original = try FixtureFiles.bytes(source)
      for round in 0..<12 {
        var bytes = original
        for _ in 0..<Int.random(in: 1...20, using: &generator) where !bytes.isEmpty {
          let index = Int.random(in: 0..<bytes.count, using: &generator)
          switch Int.random(in: 0..<4, using: &generator) {
          case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
          case 1: bytes.remove(at: index)
          case 2: bytes.insert(contentsOf: [0x22, 0x29, 0x2c, 0x28], at: index)  // `"),(`
          default: bytes.removeSubrange(index..<min(bytes.count, index + 40))
          }
        }
        Self.checkAccounting(bytes, "\(source) mutation \(round)")
        _ = CaptureParser.parse(bytes)
      }
    }
  }

  @Test func oneMegabyteSingleLine() {
    let ssLike = Array("tcp LISTEN 0 128 0.0.0.0:80 0.0.0.0:* users:(".utf8) + [UInt8](repeating: 0x22, count: 1 << 20)
    Self.checkAccounting(ssLike, "1 MB of quotes")
    let owners = Array("tcp LISTEN 0 128 0.0.0.0:80 0.0.0.0:* users:(".utf8)
      + Array(repeating: Array("(\"a\",pid=1,fd=2),".utf8), count: 60_000).flatMap { $0 }
    Self.checkAccounting(owners, "60,000 owners")
    Self.checkAccounting([UInt8](repeating: 0x41, count: 1 << 20), "1 MB of A")
  }

  @Test func nulsCRLFAndInvalidUTF8() throws {
    let ss = try FixtureFiles.bytes("consistency/ss-tuanp.out")
    let crlf = ss.flatMap { $0 == 10 ? [13, 10] : [$0] }
    let plain = SSParser.parse(ss)
    let windows = SSParser.parse(crlf)
    #expect(windows.sockets == plain.sockets, "CRLF line ends read the same")
    Self.checkAccounting(crlf, "CRLF")
    var withNULs = ss
    for index in stride(from: 5, to: withNULs.count, by: 97) { withNULs[index] = 0 }
    Self.checkAccounting(withNULs, "NULs")
    let invalid = Array("tcp LISTEN 0 128 0.0.0.0:80 0.0.0.0:* users:((\"".utf8) + [0xff, 0xfe, 0xc3] + Array("\",pid=1,fd=3))\n".utf8)
    let parsed = SSParser.parse(invalid)
    #expect(parsed.sockets.count == 1)
    #expect(parsed.sockets.first?.processes.first?.name.contains("\u{FFFD}") == true)
  }
}
