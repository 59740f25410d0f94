import Foundation
import Testing

@testable import FleetPortsCore

/// `fleetports parse --json` must write the same bytes whatever is done to make it faster:
/// every real capture parsed as detected and as each format in turn (so rejected lines,
/// notes and excerpts count too), and seeded mutations of some of them, hashed and compared
/// with `Fixtures/parse-json.digests`, which `Fixtures/parse-json-digests.py` wrote from the
/// output of `fleetports parse --json` as of 2026-11-30 (before the parse speed-up of issue
/// 20). A changed byte anywhere fails, naming the capture.
///
/// A deliberate change of the output rewrites the file:
/// `FLEETPORTS_WRITE_PARSE_DIGESTS=1 swift test --skip-build --filter ParseOutputDigestTests`.
@Suite struct ParseOutputDigestTests {
  static let digestFile = "parse-json.digests"

  /// FNV-1a, 64 bits: enough to tell two outputs apart, no dependency.
  struct Digest {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325
    var count = 0

    mutating func add(_ bytes: [UInt8]) {
      for byte in bytes {
        value = (value ^ UInt64(byte)) &* 0x0100_0000_01b3
      }
      count += bytes.count
    }

    var text: String { "\(count) \(String(value, radix: 16))" }
  }

  /// SplitMix64: the mutations are the same here and in `Fixtures/parse-json-digests.py`,
  /// which wrote the digests with the `fleetports` of 2026-11-30.
  struct SplitMix {
    var state: UInt64

    mutating func next() -> UInt64 {
      state &+= 0x9e37_79b9_7f4a_7c15
      var z = state
      z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
      z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
      return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
  }

  /// The JSON of `bytes` as detected, then as every format.
  static func digest(_ bytes: [UInt8]) throws -> Digest {
    var digest = Digest()
    if let parsed = CaptureParser.parse(bytes) {
      digest.add(try SocketParseJSON.encode(parsed))
    } else {
      digest.add(Array("unrecognised".utf8))
    }
    for format in CaptureFormat.allCases {
      digest.add(Array(format.rawValue.utf8))
      digest.add(try SocketParseJSON.encode(#require(CaptureParser.parse(bytes, as: format))))
    }
    return digest
  }

  /// `name digest` lines for every capture and mutation, in a fixed order.
  static func currentLines() throws -> [String] {
    var lines: [String] = []
    for path in try SocketParseJSONTests.captures {
      lines.append("\(path) \(try digest(try FixtureFiles.bytes(path)).text)")
    }
    for path in try SocketParseJSONTests.captures where path.hasPrefix("consistency/") || path.hasPrefix("issue15/") {
      let original = try FixtureFiles.bytes(path)
      // Seeded by the capture's name: a capture added later leaves the others' mutations alone.
      var seed = Digest()
      seed.add(Array(path.utf8))
      var random = SplitMix(state: seed.value)
      for round in 0..<4 {
        var bytes = original
        for _ in 0..<(1 + random.below(20)) where !bytes.isEmpty {
          let index = random.below(bytes.count)
          switch random.below(4) {
          case 0: bytes[index] = UInt8(random.below(256))
          case 1: bytes.remove(at: index)
          case 2: bytes.insert(contentsOf: [0x22, 0x29, 0x2c, 0x28], at: index)  // `"),(`
          default: bytes.removeSubrange(index..<min(bytes.count, index + 40))
          }
        }
        lines.append("\(path)#mutation-\(round) \(try digest(bytes).text)")
      }
    }
    return lines
  }

  @Test func everyCaptureWritesTheSameJSONAsBefore() throws {
    let lines = try Self.currentLines()
    if ProcessInfo.processInfo.environment["FLEETPORTS_WRITE_PARSE_DIGESTS"] == "1" {
      let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent(Self.digestFile)
      try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: source)
      return
    }
    let stored = try String(decoding: FixtureFiles.bytes(Self.digestFile), as: UTF8.self)
      .split(separator: "\n").map(String.init)
    var current: [String: String] = [:]
    for line in lines {
      let space = line.firstIndex(of: " ")!
      current[String(line[..<space])] = String(line[line.index(after: space)...])
    }
    // Every stored capture is compared (one gone fails); a capture added since has no digest
    // yet and is left to SocketParseJSONTests until the file is written again.
    #expect(stored.count >= 400, "the captures and their mutations are stored")
    for line in stored {
      let space = line.firstIndex(of: " ")!
      let name = String(line[..<space])
      #expect(current[name] == String(line[line.index(after: space)...]), "\(name): parse --json output changed")
    }
  }
}
