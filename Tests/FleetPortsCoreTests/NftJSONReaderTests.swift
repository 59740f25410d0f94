import Foundation
import Testing

@testable import FleetPortsCore

/// `nft -j`'s JSON read byte by byte: what JSONSerialization read before, the same values; what
/// it refused, refused; hostile nesting bounded.
@Suite struct NftJSONReaderTests {
  static func read(_ text: String) throws -> NftJSON { try NftJSONReader.read(Array(text.utf8)) }

  @Test func theRealRulesetsReadAsJSONSerializationReadThem() throws {
    for file in ["policy-drop.nft.json", "firewalld-like.nft.json", "docker-like.iptables-nft.nft.json", "ufw-like.iptables-nft.nft.json"] {
      let bytes = try FixtureFiles.bytes("firewall/\(file)")
      let foundation = Self.convert(try JSONSerialization.jsonObject(with: Data(bytes)))
      #expect(try NftJSONReader.read(bytes) == foundation, "\(file)")
    }
  }

  @Test func valuesAsJSONSpellsThem() throws {
    let value = try Self.read(#" {"a": [1, -2.5, 3e2, true, false, null], "s": "t\u00e9\n\"\\\/\ud83d\ude00", "a": "last"} "#)
    #expect(value["a"] == .string("last"), "a repeated key keeps its last value")
    #expect(value["s"] == .string("té\n\"\\/😀"))
    #expect(try Self.read("[1, -2.5, 3e2, 0, -0]") == .array([.number(1), .number(-2.5), .number(300), .number(0), .number(0)]))
    #expect(try Self.read(#"{"k": {}, "l": []}"#) == .object(["k": .object([:]), "l": .array([])]))
  }

  @Test func whatIsNotJSONIsRefused() {
    for text in [
      "", "{", "[1,]", #"{"a": 1,}"#, "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", #"{"a" 1}"#, #"{a: 1}"#, "[1 2]", "{} x",
      #""\x""#, #""\ud800""#, #""\udc00x""#, "\"a\u{01}b\"", #""unterminated"#, "'single'", "NaN",
    ] {
      #expect(throws: NftJSONReader.Failure.self, "\(text)") { try Self.read(text) }
    }
    #expect(throws: NftJSONReader.Failure.self) { try NftJSONReader.read([0x22, 0xFF, 0xFE, 0x22]) }  // not UTF-8
  }

  @Test func deepNestingIsCutThenRefused() throws {
    // Past keptDepth the value is null (the ruleset reader never looks that deep)…
    let kept = NftJSONReader.keptDepth
    let deep = try Self.read(String(repeating: "[", count: kept + 1) + String(repeating: "]", count: kept + 1))
    var value = deep
    for _ in 0..<kept { value = try #require(value.array?.first) }
    #expect(value == .null)
    // …and past maxDepth the text is refused, without exhausting the stack.
    let tooDeep = NftJSONReader.maxDepth + 1
    #expect(throws: NftJSONReader.Failure.self) {
      try Self.read(String(repeating: "[", count: tooDeep) + String(repeating: "]", count: tooDeep))
    }
    #expect(throws: NftJSONReader.Failure.self) { try Self.read(String(repeating: #"{"a":"#, count: 100_000)) }
  }

  /// JSONSerialization's objects as NftJSON, as NftJSONParser converted them before it read bytes itself.
  static func convert(_ value: Any) -> NftJSON {
    if let text = value as? String { return .string(text) }
    if let flag = value as? Bool, type(of: value) == Bool.self { return .bool(flag) }
    if let number = value as? NSNumber { return .number(number.doubleValue) }
    if let items = value as? [Any] { return .array(items.map(convert)) }
    if let members = value as? [String: Any] { return .object(members.mapValues(convert)) }
    return .null
  }
}
