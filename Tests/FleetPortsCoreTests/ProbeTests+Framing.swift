import Foundation
import Testing

@testable import FleetPortsCore

#if canImport(Glibc)
  import Glibc
#endif

/// The framing parser on constructed and hostile output (no shell needed).
extension ProbeTests {
  static func begin(_ name: String, nonce: String = nonce) -> String { "@@fp:\(nonce):begin \(name)@@\n" }
  static func end(_ name: String, rc: String = "0", cap: Int? = nil, nonce: String = nonce) -> String {
    "\n@@fp:\(nonce):end \(name) rc=\(rc)\(cap.map { " cap=\($0)" } ?? "")@@\n"
  }
  static let done = "@@fp:\(nonce):done@@\n"

  @Test func parsesConstructedOutput() {
    let text =
      Self.begin("a") + "one\ntwo" + Self.end("a") + Self.begin("b") + "x\n" + Self.end("b", rc: "2", cap: nil)
      + Self.begin("c") + Self.end("c", rc: "?") + Self.done
    let output = ProbeOutput.parse(Array(text.utf8), nonce: Self.nonce)
    #expect(output.problems.isEmpty && output.finished)
    #expect(output.sections.map(\.name) == ["a", "b", "c"])
    #expect(output["a"] == ProbeSection(name: "a", body: Array("one\ntwo".utf8), exitCode: 0, truncated: false, complete: true))
    #expect(output["b"] == ProbeSection(name: "b", body: Array("x\n".utf8), exitCode: 2, truncated: false, complete: true))
    #expect(output["c"] == ProbeSection(name: "c", body: [], exitCode: nil, truncated: false, complete: true))
    #expect(output["nope"] == nil)
  }

  @Test func capMarksTruncation() {
    let text = Self.begin("a") + "12345" + Self.end("a", cap: 5) + Self.begin("b") + "123456" + Self.end("b", rc: "141", cap: 5) + Self.done
    let output = ProbeOutput.parse(Array(text.utf8), nonce: Self.nonce)
    #expect(output["a"]?.body == Array("12345".utf8) && output["a"]?.truncated == false)
    #expect(output["b"]?.body == Array("12345".utf8) && output["b"]?.truncated == true && output["b"]?.exitCode == 141)
  }

  @Test func markersWithAnotherNonceAreContent() {
    let other = "ffffffffffffffffffffffffffffffff"
    let forged =
      Self.end("a", nonce: other) + Self.begin("evil", nonce: other) + "x" + Self.end("evil", nonce: other) + "@@fp:\(other):done@@\n"
    let text = Self.begin("a") + "before" + forged + "after" + Self.end("a") + Self.done
    let output = ProbeOutput.parse(Array(text.utf8), nonce: Self.nonce)
    #expect(output.sections.map(\.name) == ["a"])
    #expect(output["a"]?.body == Array(("before" + forged + "after").utf8))
    #expect(output["a"]?.complete == true)
    #expect(output.problems == ["4 lines look like a probe marker with another nonce (ignored)"])
  }

  @Test func withAHostKeyOnlyMarkersCarryingItFrame() {
    // The scan's nonce can be read from the command line on the host; the 16 digits the
    // host announced first cannot. A socket named with the bare nonce's markers is content.
    let host = "0123456789abcdef"
    let full = Self.nonce + host
    let forged = Self.end("a") + Self.begin("evil") + "x" + Self.end("evil")
    let text =
      "rc file noise\n" + "@@fp:\(Self.nonce):key \(host)@@\n" + Self.begin("a", nonce: full) + "before" + forged + "after"
      + Self.end("a", nonce: full) + "@@fp:\(full):done@@\n"
    let output = ProbeOutput.parse(Array(text.utf8), nonce: Self.nonce)
    #expect(output.finished)
    #expect(output.sections.map(\.name) == ["a"])
    #expect(output["a"]?.body == Array(("before" + forged + "after").utf8))
    #expect(
      output.problems.contains { $0.contains("1 line outside any section") }, "the noise before the key is reported, the key line is not")

    // A second key line later (a hostile name) changes nothing.
    let again =
      "@@fp:\(Self.nonce):key \(host)@@\n" + Self.begin("a", nonce: full) + "@@fp:\(Self.nonce):key ffffffffffffffff@@\n"
      + Self.end("a", nonce: full)
    #expect(ProbeOutput.parse(Array(again.utf8), nonce: Self.nonce)["a"]?.body == Array("@@fp:\(Self.nonce):key ffffffffffffffff@@\n".utf8))
  }

  @Test func markerTextInsideALineIsContent() {
    let real = "@@fp:\(Self.nonce):end a rc=0 cap=100@@"
    let lines = [
      "users:((\"\(real)\",pid=1,fd=3))", "  \(real)", "\(real) ", "\(real)\r", "x\(real)", "\(real)\u{0}",
      "@@fp:\(Self.nonce):end a rc=0 cap=100@@@@", "@@fp:\(Self.nonce):end a  rc=0@@", "@@fp:\(Self.nonce):end A rc=0@@",
      "@@fp:\(Self.nonce):end a rc=99999999999@@", "@@fp:\(Self.nonce):end a rc=-1@@", "@@fp:\(Self.nonce):begin a b@@",
      "@@fp:\(Self.nonce):begin @@", "@@fp:\(Self.nonce):done @@", "@@FP:\(Self.nonce):done@@",
    ]
    let content = lines.joined(separator: "\n") + "\n"
    let text = Self.begin("a") + content + Self.end("a") + Self.done
    let output = ProbeOutput.parse(Array(text.utf8), nonce: Self.nonce)
    #expect(output.sections.map(\.name) == ["a"])
    #expect(output["a"]?.body == Array(content.utf8))
    #expect(output["a"]?.complete == true && output.finished)
    #expect(output.problems == ["8 lines start with this scan's marker prefix but are not markers (ignored)"], "\(output.problems)")
  }

  @Test func missingEndMarker() {
    let text = Self.begin("a") + "partial output with no end"
    let output = ProbeOutput.parse(Array(text.utf8), nonce: Self.nonce)
    #expect(
      output["a"]
        == ProbeSection(name: "a", body: Array("partial output with no end".utf8), exitCode: nil, truncated: false, complete: false))
    #expect(output.problems.contains("section 'a' has a begin marker but no end marker (output cut?)"))
    #expect(output.problems.contains { $0.hasPrefix("no done marker") })
    #expect(!output.finished)

    // A begin while a section is open: the open one was cut.
    let nested = Self.begin("a") + "x\n" + Self.begin("b") + "y" + Self.end("b") + Self.done
    let second = ProbeOutput.parse(Array(nested.utf8), nonce: Self.nonce)
    #expect(second.sections.map(\.complete) == [false, true])
    #expect(second["a"]?.body == Array("x\n".utf8) && second["b"]?.body == Array("y".utf8))
    #expect(second.problems == ["section 'a' has no end marker before section 'b' begins"])

    // The end marker of another section.
    let crossed = Self.begin("a") + "x" + Self.end("b") + Self.done
    let third = ProbeOutput.parse(Array(crossed.utf8), nonce: Self.nonce)
    #expect(third["a"]?.complete == false)
    #expect(third.problems == ["section 'a' ended by the end marker of 'b'"])

    // An end marker without its trailing newline (cut one byte early) does not count.
    let cut = Self.begin("a") + "x" + String(Self.end("a").dropLast())
    #expect(ProbeOutput.parse(Array(cut.utf8), nonce: Self.nonce)["a"]?.complete == false)
  }

  @Test func linesOutsideSections() {
    let text = "motd line\nanother\n" + Self.begin("a") + "x" + Self.end("a") + "stray\n" + Self.done + "late\n"
    let output = ProbeOutput.parse(Array(text.utf8), nonce: Self.nonce)
    #expect(output["a"]?.body == [120])
    #expect(output.problems == ["3 lines outside any section", "1 line after the done marker"])
    #expect(ProbeOutput.parse([], nonce: Self.nonce).problems == ["no probe sections in the output"])
    #expect(ProbeOutput.parse(Array(text.utf8), nonce: "not-a-nonce").problems == ["invalid nonce: the output cannot be framed"])
    let twice = Self.begin("a") + Self.end("a") + Self.begin("a") + "2" + Self.end("a") + Self.done
    let dup = ProbeOutput.parse(Array(twice.utf8), nonce: Self.nonce)
    #expect(dup.problems == ["section 'a' appears more than once"] && dup["a"]?.body == [])
  }

  @Test func nulsAndHugeLines() {
    let huge = [UInt8](repeating: 65, count: 1 << 20)
    var bytes = Array(Self.begin("a").utf8) + [0, 0, 10, 0] + huge + [0]
    bytes += Array(Self.end("a", cap: nil).utf8) + huge + [10] + Array(Self.done.utf8) + huge
    let output = ProbeOutput.parse(bytes, nonce: Self.nonce)
    // Compared without printing a megabyte on failure.
    #expect(output["a"].map { $0.body == [0, 0, 10, 0] + huge + [0] } == true, "body of \(output["a"]?.body.count ?? -1) bytes")
    #expect(output.finished)
    #expect(output.problems == ["1 line outside any section", "1 line after the done marker"])
    // A 1 MB line that starts like a marker is not read as one.
    let fake = Array("@@fp:\(Self.nonce):begin x".utf8) + huge + Array("@@\n".utf8)
    #expect(ProbeOutput.parse(fake, nonce: Self.nonce).sections.isEmpty)
  }

  @Test func randomBytesNeverCrash() {
    var generator = HostileInputTests.SeededGenerator(state: 99)
    let pieces = [
      Self.begin("a"), Self.end("a", cap: 100), Self.begin("b"), Self.end("b", rc: "?", cap: 100), Self.done, "\n", "@@", "@@fp:",
      Self.nonce, "\r", "rc=", " cap=3",
    ]
    for _ in 0..<300 {
      var bytes: [UInt8] = []
      for _ in 0..<Int.random(in: 0..<60, using: &generator) {
        if Bool.random(using: &generator) {
          bytes += Array(pieces.randomElement(using: &generator)!.utf8)
        } else {
          bytes += (0..<Int.random(in: 0..<40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
      }
      let output = ProbeOutput.parse(bytes, nonce: Self.nonce)
      let total = output.sections.reduce(0) { $0 + $1.body.count }
      #expect(total <= bytes.count)
      for section in output.sections where section.truncated { #expect([3, 100].contains(section.body.count)) }
    }
  }

  /// Short lines and marker-like lines both parse in time linear in their size: 8 times the
  /// bytes take about 8 times as long (a quadratic parser: 64 times). A ratio of two runs on
  /// the same machine at the same moment, not a time limit, so a loaded machine cannot fail it.
  @Test func parsingIsLinear() throws {
    let line = Array("@@fp:\(Self.nonce):end a rc=0 cap=1@@\n".utf8)
    func inputs(_ size: Int) -> [[UInt8]] {
      var markerish: [UInt8] = []
      while markerish.count < size { markerish += line }
      return [Array(Self.begin("a").utf8) + [UInt8](repeating: 10, count: size), markerish]
    }
    let clock = ContinuousClock()
    func fastest(_ input: [UInt8]) throws -> Duration {
      try #require((0..<3).map { _ in clock.measure { _ = ProbeOutput.parse(input, nonce: Self.nonce) } }.min())
    }
    let (small, large) = (inputs(512 << 10), inputs(4 << 20))
    for kind in 0..<2 {
      let ratio = try fastest(large[kind]) / fastest(small[kind])
      #expect(ratio < 24, "input \(kind): 8 times the bytes took \(ratio) times as long")
    }
  }

  // MARK: meta

  @Test func metaParsing() {
    let body = """
      probe=1
      method=ss
      method-requested=auto
      uid=1000
      euid=0
      hostname=web-1
      os-pretty-name="Debian GNU/Linux 12 (bookworm)"
      os-id=debian
      os-version-id='12'
      byte-order=
      machine=s390x
      future-key=some value=with equals
      netstat-flags=-tuan
      id: cannot find name for user ID 1000
      user=
      """
    let meta = ProbeMeta.parse(ProbeSection(name: "meta", body: Array(body.utf8), exitCode: 0, truncated: false, complete: true))
    #expect(meta.method == .ss && meta.methodRequested == .auto)
    #expect(meta.uid == 1000 && meta.euid == 0 && meta.isRoot)
    #expect(meta.hostname == "web-1")
    #expect(meta.osPrettyName == "Debian GNU/Linux 12 (bookworm)" && meta.osID == "debian" && meta.osVersionID == "12")
    #expect(meta.byteOrder == nil && meta.procByteOrder == .big)
    #expect(meta.other == ["future-key": "some value=with equals"])
    #expect(meta.notes == ["id: cannot find name for user ID 1000"])
    #expect(meta.user == nil && meta.netstatFlags == "-tuan")
    #expect(ProbeMeta.unquote(#""a \"b\" \$c \\ d""#) == #"a "b" $c \ d"#)
    #expect(ProbeMeta.byteOrder(forMachine: "armv7l") == .little && ProbeMeta.byteOrder(forMachine: "ppc64") == .big)
    #expect(ProbeMeta.byteOrder(forMachine: "weird") == nil)
  }
}
