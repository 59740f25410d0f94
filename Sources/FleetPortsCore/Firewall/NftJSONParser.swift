/// Reads `nft -j list ruleset`: nftables' JSON (libnftables-json(5), schema version 1, as
/// nftables 1.0.6 on Debian 12 writes it):
///
///     {"nftables": [{"metainfo": {…}}, {"table": {"family": "inet", "name": "filter", …}},
///                   {"set": {…, "elem": [{"prefix": {"addr": "10.0.0.0", "len": 8}}]}},
///                   {"chain": {…, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
///                   {"rule": {"family": …, "table": …, "chain": …, "handle": 4, "expr": […]}}]}
///
/// It covers iptables-nft's tables too (their untranslated matches are `xt` expressions, kept as
/// unknown matches). Read byte by byte (`NftJSONReader`), no Foundation. Objects not understood (a rule of
/// an unlisted chain, a `flowtable`, an `element` command) go to the report with their index;
/// expressions not understood become `RuleMatch.unknown` / `RuleAction.unknown` with their JSON.
public enum NftJSONParser {
  /// Parses the JSON bytes. Throws `FirewallParseError.notNftablesJSON` when the input is not
  /// JSON or has no top-level `nftables` array; never crashes on hostile input.
  public static func parse(_ bytes: [UInt8]) throws(FirewallParseError) -> FirewallParse {
    let root: NftJSON
    do {
      root = try NftJSONReader.read(bytes)
    } catch {
      throw .notNftablesJSON("not JSON: \(error)")
    }
    guard let objects = root["nftables"]?.array else {
      throw .notNftablesJSON("no top-level {\"nftables\": [...]} array")
    }
    return NftRulesetReader.read(objects)
  }
}
