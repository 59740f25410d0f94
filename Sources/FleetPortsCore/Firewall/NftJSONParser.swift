import Foundation

/// Reads `nft -j list ruleset`: nftables' JSON (libnftables-json(5), schema version 1, as
/// nftables 1.0.6 on Debian 12 writes it):
///
///     {"nftables": [{"metainfo": {…}}, {"table": {"family": "inet", "name": "filter", …}},
///                   {"set": {…, "elem": [{"prefix": {"addr": "10.0.0.0", "len": 8}}]}},
///                   {"chain": {…, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
///                   {"rule": {"family": …, "table": …, "chain": …, "handle": 4, "expr": […]}}]}
///
/// It covers iptables-nft's tables too (their untranslated matches are `xt` expressions, kept as
/// unknown matches). Decoded with Foundation's `JSONSerialization`; this parser is the one place
/// in FleetPortsCore's firewall code that imports Foundation. Objects not understood (a rule of
/// an unlisted chain, a `flowtable`, an `element` command) go to the report with their index;
/// expressions not understood become `RuleMatch.unknown` / `RuleAction.unknown` with their JSON.
public enum NftJSONParser {
  /// Parses the JSON bytes. Throws `FirewallParseError.notNftablesJSON` when the input is not
  /// JSON or has no top-level `nftables` array; never crashes on hostile input.
  public static func parse(_ bytes: [UInt8]) throws(FirewallParseError) -> FirewallParse {
    let root: Any
    do {
      root = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
    } catch {
      throw .notNftablesJSON("the JSON decoder refused it: \(error.localizedDescription)")
    }
    guard let objects = convert(root, depth: 0)["nftables"]?.array else {
      throw .notNftablesJSON("no top-level {\"nftables\": [...]} array")
    }
    return NftRulesetReader.read(objects)
  }

  /// Foundation's objects as `NftJSON`; nesting beyond 64 levels is cut to `null` (nft never
  /// nests that deep; hostile input may).
  static func convert(_ value: Any, depth: Int) -> NftJSON {
    guard depth < 64 else { return .null }
    if let text = value as? String { return .string(text) }
    if let flag = value as? Bool, type(of: value) == Bool.self { return .bool(flag) }
    if let number = value as? NSNumber { return .number(number.doubleValue) }
    if let items = value as? [Any] { return .array(items.map { convert($0, depth: depth + 1) }) }
    if let members = value as? [String: Any] { return .object(members.mapValues { convert($0, depth: depth + 1) }) }
    return .null
  }
}
