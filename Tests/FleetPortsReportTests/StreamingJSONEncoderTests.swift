import FleetPortsCore
import FleetPortsReport
import Foundation
import Testing

/// scan.json's encoder against Foundation's: the same values, read back the same way.
@Suite struct StreamingJSONEncoderTests {
  struct Sample: Codable, Equatable {
    var name: String
    var count: Int
    var ratio: Double
    var flags: [Bool]
    var nested: [String: [Int64]]
    var optional: String?
    var empty: [String]
    var emptyObject: [String: Int]
  }

  static let sample = Sample(
    name: "quote \" backslash \\ slash / newline \n tab \t bell \u{7} nul \u{0} é 😀",
    count: -1_234_567_890_123, ratio: 0.116, flags: [true, false], nested: ["b": [1, -2], "a": [], "c": [Int64.max, Int64.min]],
    optional: nil, empty: [], emptyObject: [:])

  @Test func aValueReadsBackAsItWasWritten() throws {
    let bytes = try StreamingJSONEncoder.encode(Self.sample)
    #expect(try JSONDecoder().decode(Sample.self, from: Data(bytes)) == Self.sample)
  }

  @Test func theTextIsWhatFoundationParsesToTheSameTree() throws {
    let mine = try JSONSerialization.jsonObject(with: Data(StreamingJSONEncoder.encode(Self.sample))) as? NSDictionary
    let theirs = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.sample)) as? NSDictionary
    #expect(mine != nil && mine == theirs)
  }

  @Test func keysComeInDeclarationOrderAndDictionariesSorted() throws {
    let text = String(decoding: try StreamingJSONEncoder.encode(Self.sample), as: UTF8.self)
    let keys = ["\"name\"", "\"count\"", "\"ratio\"", "\"flags\"", "\"nested\"", "\"a\"", "\"b\"", "\"c\"", "\"empty\"", "\"emptyObject\""]
    let positions = keys.map { text.range(of: $0)?.lowerBound }
    #expect(positions.allSatisfy { $0 != nil })
    #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
    #expect(!text.contains("optional"), "nil optionals are left out, as JSONEncoder does")
    #expect(text.contains("\"empty\" : [],") && text.contains("\"emptyObject\" : {}"))
    #expect(text.contains("\\u0007") && text.contains("\\u0000") && text.contains("/ newline \\n"))
  }

  /// Counter dictionaries (`[String: Int64]`) reuse the key order sorted for the one before:
  /// one with other keys, the same number of them, or fewer, gets its own.
  @Test func counterDictionariesInARowEachComeSorted() throws {
    let counters: [[String: Int64]] = [
      ["b": 2, "a": 1, "c": 3], ["c": 30, "a": 10, "b": 20], ["d": 4, "a": 1, "b": 2], ["b": 2], [:], ["z": 26, "y": 25, "x": 24],
    ]
    let mine = String(decoding: try StreamingJSONEncoder.encode(counters), as: UTF8.self)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let theirs = try JSONSerialization.jsonObject(with: encoder.encode(counters)) as? NSArray
    #expect(try JSONSerialization.jsonObject(with: Data(mine.utf8)) as? NSArray == theirs)
    let keys = mine.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    #expect(keys == ["a", "b", "c", "a", "b", "c", "a", "b", "d", "b", "x", "y", "z"])
  }

  @Test func aRealLabScanRoundTripsAndEncodesTheSameEveryTime() throws {
    let scan = try TestSupport.scan("fleet.scan.json")
    let bytes = try ScanJSON.encode(scan)
    #expect(try JSONDecoder().decode(ScanResult.self, from: Data(bytes)) == scan)
    #expect(try ScanJSON.encode(scan) == bytes)
    let mine = try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary
    let theirs = try JSONSerialization.jsonObject(with: JSONEncoder().encode(scan)) as? NSDictionary
    #expect(mine != nil && mine == theirs)
  }

  /// scan.json handed over in pieces (to its file and the history's row) is the same bytes,
  /// whatever the piece size, pieces cut between elements (never inside a sorted dictionary,
  /// whose entries move on close), each at least the size asked for but the last.
  @Test(arguments: [1, 97, 4096, 1 << 20])
  func aScanInPiecesIsTheSameBytes(chunkSize: Int) throws {
    let scan = try TestSupport.scan("fleet.scan.json")
    let whole = try ScanJSON.encode(scan)
    var pieces: [[UInt8]] = []
    let count = try StreamingJSONEncoder.encode(scan, chunkSize: chunkSize) { pieces.append(Array($0)) }
    #expect(count == whole.count)
    #expect(pieces.flatMap { $0 } == whole)
    #expect(pieces.dropLast().allSatisfy { $0.count >= chunkSize })
    if chunkSize < whole.count / 4 { #expect(pieces.count > 1) }
    let sample = try StreamingJSONEncoder.encode(Self.sample)
    var samplePieces: [UInt8] = []
    try StreamingJSONEncoder.encode(Self.sample, chunkSize: chunkSize) { samplePieces += $0 }
    #expect(samplePieces == sample)
  }

  struct Full: Error {}

  @Test func aPieceThatCannotBeWrittenStopsTheEncoding() throws {
    let scan = try TestSupport.scan("fleet.scan.json")
    var handed = 0
    #expect(throws: Full.self) {
      try StreamingJSONEncoder.encode(scan, chunkSize: 1024) { _ in
        handed += 1
        if handed == 3 { throw Full() }
      }
    }
    #expect(handed == 3, "nothing is handed over after the sink failed")
  }

  enum Keys: String, CodingKey { case a, b, inner }

  class Base: Encodable {
    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: Keys.self)
      try container.encode(1, forKey: .a)
    }
  }

  /// Asks the encoder its superclass used for a keyed container again.
  final class Derived: Base {
    override func encode(to encoder: any Encoder) throws {
      try super.encode(to: encoder)
      var container = encoder.container(keyedBy: Keys.self)
      try container.encode("x", forKey: .b)
    }
  }

  /// A super encoder left unused, one used, and a nested container.
  struct Supers: Encodable {
    func encode(to encoder: any Encoder) throws {
      var container = encoder.container(keyedBy: Keys.self)
      _ = container.superEncoder()
      try Base().encode(to: container.superEncoder(forKey: .b))
      var inner = container.nestedContainer(keyedBy: Keys.self, forKey: .inner)
      try inner.encode(true, forKey: .a)
      var list = container.nestedUnkeyedContainer(forKey: .a)
      try list.encode(3)
      _ = list.superEncoder()
    }
  }

  @Test func handWrittenEncodersGetTheSameTreeAsFromJSONEncoder() throws {
    for value in [Derived() as any Encodable, Supers(), [Derived(), Base()] as [Base]] {
      let bytes = try StreamingJSONEncoder.encode(value)
      let mine = try JSONSerialization.jsonObject(with: Data(bytes)) as? NSObject
      let theirs = try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? NSObject
      #expect(mine != nil && mine == theirs, "\(String(decoding: bytes, as: UTF8.self))")
    }
  }

  @Test func notANumberIsRefusedAsJSONEncoderRefusesIt() {
    #expect(throws: EncodingError.self) { try StreamingJSONEncoder.encode([Double.nan]) }
  }
}
