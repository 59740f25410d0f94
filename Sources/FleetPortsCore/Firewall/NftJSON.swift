/// A decoded JSON value of `nft -j` output, in plain Swift so the expression reader needs no
/// Foundation (`NftJSONReader` reads the bytes into it).
indirect enum NftJSON: Hashable, Sendable {
  case object([String: NftJSON])
  case array([NftJSON])
  case string(String)
  case number(Double)
  case bool(Bool)
  case null

  subscript(key: String) -> NftJSON? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

  var string: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  var int: Int? {
    if case .number(let value) = self, value.rounded() == value, abs(value) < 1e15 { return Int(value) }
    return nil
  }

  var array: [NftJSON]? {
    if case .array(let items) = self { return items }
    return nil
  }

  var object: [String: NftJSON]? {
    if case .object(let members) = self { return members }
    return nil
  }

  /// The one key of a `{"kind": value}` wrapper, nftables' way of tagging objects and expressions.
  var tagged: (kind: String, value: NftJSON)? {
    guard case .object(let members) = self, members.count == 1, let (key, value) = members.first else { return nil }
    return (key, value)
  }

  /// Compact JSON text with sorted keys, for quoting what was not understood.
  var text: String {
    switch self {
    case .object(let members):
      return "{" + members.keys.sorted().map { key in "\(NftJSON.quoted(key)): \(members[key]?.text ?? "null")" }.joined(separator: ", ") + "}"
    case .array(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
    case .string(let text): return NftJSON.quoted(text)
    case .number(let value): return value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    case .bool(let value): return value ? "true" : "false"
    case .null: return "null"
    }
  }

  static func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      default: result += scalar.value < 0x20 ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
      }
    }
    return result + "\""
  }
}
