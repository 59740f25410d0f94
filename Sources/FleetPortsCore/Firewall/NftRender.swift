/// Spells nftables JSON expressions in nft's own rule syntax (`ip saddr 10.0.0.0/8`,
/// `tcp dport { 22, 443 }`, `ct state established,related`), for quoting a rule in a verdict.
/// What it cannot spell it quotes as JSON.
enum NftRender {
  static func match(left: NftJSON, op: String, right: NftJSON) -> String {
    let shownOp = (op == "==" || op == "in") ? "" : op + " "
    var rightText = value(right)
    if let key = left["meta"]?["key"]?.string, ["iifname", "oifname"].contains(key), let name = right.string {
      rightText = NftJSON.quoted(name)
    }
    if left["ct"] != nil, let items = right.array { rightText = items.map(value).joined(separator: ",") }
    return value(left) + " " + shownOp + rightText
  }

  static func value(_ json: NftJSON) -> String {
    switch json {
    case .string(let text): return text
    case .number: return json.text
    case .array(let items): return items.map(value).joined(separator: ", ")
    case .null, .bool: return json.text
    case .object: break
    }
    guard let (kind, body) = json.tagged else { return json.text }
    switch kind {
    case "payload":
      guard let proto = body["protocol"]?.string, let field = body["field"]?.string else { return json.text }
      return "\(proto) \(field)"
    case "meta":
      guard let key = body["key"]?.string else { return json.text }
      return ["iifname", "oifname", "iif", "oif"].contains(key) ? key : "meta \(key)"
    case "ct":
      guard let key = body["key"]?.string else { return json.text }
      return "ct " + (body["dir"]?.string.map { $0 + " " } ?? "") + key
    case "fib":
      let flags = body["flags"]?.string.map { [$0] } ?? body["flags"]?.array?.compactMap(\.string) ?? []
      return "fib " + flags.joined(separator: " . ") + " " + (body["result"]?.string ?? "?")
    case "set":
      let items = body.array ?? [body]
      return "{ " + items.map(value).joined(separator: ", ") + " }"
    case "prefix":
      return value(body["addr"] ?? .null) + "/" + value(body["len"] ?? .null)
    case "range":
      return (body.array ?? []).map(value).joined(separator: "-")
    case "concat":
      return (body.array ?? []).map(value).joined(separator: " . ")
    case "elem":
      return value(body["val"] ?? .null)
    case "accept", "drop", "return", "continue":
      return kind
    case "jump", "goto":
      return kind + " " + (body["target"]?.string ?? "?")
    default:
      return json.text
    }
  }
}
