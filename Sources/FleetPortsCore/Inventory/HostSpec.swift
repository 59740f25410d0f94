/// The host word of an inventory line, `[user@]host[:port]`: `root@web1:2222`,
/// `[fd00::1]:2222`, bare `fd00::1` (no port), `web[01:03].example.com` (a range, not yet expanded).
struct HostSpec: Hashable {
  var user: String?
  /// Without IPv6 brackets; may still hold `[a:b]` ranges.
  var host: String
  var port: Int?
  /// True for an IPv6 literal (never a range).
  var isIPv6: Bool

  static func parse(_ word: String) throws(InventoryProblem.Kind) -> HostSpec {
    var rest = Substring(word)
    var user: String?
    if let at = rest.lastIndex(of: "@") {
      let name = rest[..<at]
      guard !name.isEmpty else { throw .emptyUser(word) }
      user = String(name)
      rest = rest[rest.index(after: at)...]
    }
    guard !rest.isEmpty else { throw .emptyHost(word) }

    if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
      let inside = rest[rest.index(after: rest.startIndex)..<close]
      if isIPv6Literal(inside) {
        let after = rest[rest.index(after: close)...]
        var port: Int?
        if !after.isEmpty {
          guard after.hasPrefix(":") else {
            throw .malformedHost(word, reason: "after ']' only ':port' may follow")
          }
          port = try portNumber(String(after.dropFirst()))
        }
        return HostSpec(user: user, host: String(inside), port: port, isIPv6: true)
      }
    }

    let colons = colonsOutsideBrackets(rest)
    switch colons.count {
    case 0:
      return HostSpec(user: user, host: String(rest), port: nil, isIPv6: false)
    case 1:
      let host = rest[..<colons[0]]
      guard !host.isEmpty else { throw .emptyHost(word) }
      let port = try portNumber(String(rest[rest.index(after: colons[0])...]))
      return HostSpec(user: user, host: String(host), port: port, isIPv6: false)
    default:
      guard isIPv6Literal(rest) else {
        throw .malformedHost(word, reason: "more than one ':' and not an IPv6 address; an IPv6 address with a port is written [fd00::1]:2222")
      }
      return HostSpec(user: user, host: String(rest), port: nil, isIPv6: true)
    }
  }

  static func portNumber(_ text: String) throws(InventoryProblem.Kind) -> Int {
    guard let port = PortNumber.parse(text) else { throw .invalidPort(text) }
    return port
  }

  /// `fd00::1`, `fe80::1%eth0`.
  static func isIPv6Literal(_ text: Substring) -> Bool {
    let body = text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)[0]
    return body.contains(":") && IPv6Address(body) != nil
  }

  static func colonsOutsideBrackets(_ text: Substring) -> [Substring.Index] {
    var depth = 0
    var found: [Substring.Index] = []
    for index in text.indices {
      switch text[index] {
      case "[": depth += 1
      case "]": depth = max(0, depth - 1)
      case ":" where depth == 0: found.append(index)
      default: break
      }
    }
    return found
  }
}

/// Ansible's host ranges: `web[01:03]` (zero-padded to the width of the start),
/// `db-[a:f]`, `www[1:9:2]` (a step), several per name; `[:3]` starts at 0.
enum HostRange {
  /// More hosts than this from one line is a typo, not a fleet.
  static let limit = 100_000

  static func expand(_ name: String) throws(InventoryProblem.Kind) -> [String] {
    guard let open = name.firstIndex(of: "[") else {
      guard !name.contains("]") else { throw .invalidRange(name, reason: "']' without '['") }
      return [name]
    }
    guard let close = name[open...].firstIndex(of: "]") else {
      throw .invalidRange(name, reason: "'[' without ']'")
    }
    let head = String(name[..<open])
    let tail = String(name[name.index(after: close)...])
    let values = try values(String(name[name.index(after: open)..<close]), in: name)
    let tails = try expand(tail)
    guard values.count * tails.count <= limit else {
      throw .invalidRange(name, reason: "expands to more than \(limit) hosts")
    }
    var names: [String] = []
    names.reserveCapacity(values.count * tails.count)
    for value in values {
      for rest in tails { names.append(head + value + rest) }
    }
    return names
  }

  static func values(_ body: String, in name: String) throws(InventoryProblem.Kind) -> [String] {
    let parts = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 2 || parts.count == 3 else {
      throw .invalidRange(name, reason: "write [start:end] or [start:end:step], e.g. web[01:20]")
    }
    var step = 1
    if parts.count == 3 {
      guard let value = Int(parts[2]), value > 0 else {
        throw .invalidRange(name, reason: "step '\(parts[2])' is not a positive number")
      }
      step = value
    }
    let start = parts[0].isEmpty ? "0" : parts[0]
    let end = parts[1]
    let isDigits: (String) -> Bool = { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    let isLetter: (String) -> Bool = { $0.count == 1 && $0.allSatisfy { $0.isASCII && $0.isLetter } }
    if isDigits(start) && isDigits(end) {
      guard start.count <= 9, end.count <= 9, let low = Int(start), let high = Int(end) else {
        throw .invalidRange(name, reason: "numbers longer than 9 digits")
      }
      guard low <= high else { throw .invalidRange(name, reason: "start \(start) is after end \(end)") }
      let width = start.hasPrefix("0") && start.count > 1 ? start.count : 0
      if width > 0 && end.count != width {
        throw .invalidRange(name, reason: "a zero-padded start and its end must have the same width (\(start) and \(end))")
      }
      guard (high - low) / step < limit else {
        throw .invalidRange(name, reason: "expands to more than \(limit) hosts")
      }
      return stride(from: low, through: high, by: step).map { value in
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
      }
    }
    if isLetter(start) && isLetter(end) && start.first?.isLowercase == end.first?.isLowercase,
      let low = start.unicodeScalars.first?.value, let high = end.unicodeScalars.first?.value
    {
      guard low <= high else { throw .invalidRange(name, reason: "start \(start) is after end \(end)") }
      return stride(from: low, through: high, by: step).compactMap { Unicode.Scalar($0).map { String(Character($0)) } }
    }
    throw .invalidRange(name, reason: "start and end must both be numbers or both single letters")
  }
}
