/// A calendar day, `YYYY-MM-DD`. The analysis takes "today" as one of these: the core has no clock.
public struct PolicyDate: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
  public var year: Int
  public var month: Int
  public var day: Int

  public init?(year: Int, month: Int, day: Int) {
    guard (1...9999).contains(year), (1...12).contains(month), (1...PolicyDate.days(year: year, month: month)).contains(day) else {
      return nil
    }
    self.year = year
    self.month = month
    self.day = day
  }

  /// 1970-01-01, for a calendar that cannot say what day it is.
  public static let epoch = PolicyDate(valid: (1970, 1, 1))

  private init(valid date: (year: Int, month: Int, day: Int)) {
    (year, month, day) = date
  }

  /// Reads exactly `YYYY-MM-DD` with a real day of a real month; nil for anything else.
  public init?(_ text: String) {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
      let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
    else { return nil }
    self.init(year: y, month: m, day: d)
  }

  static func days(year: Int, month: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  public var description: String {
    func pad(_ value: Int, _ width: Int) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
  }

  public static func < (lhs: PolicyDate, rhs: PolicyDate) -> Bool {
    (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
  }
}

/// A policy entry that accepts findings of one rule, optionally on some hosts and one port,
/// for a stated reason until a date.
public struct Suppression: Hashable, Sendable, Codable {
  /// The rule id, e.g. `datastore-exposed`.
  public var rule: String
  /// A host name glob (`*` and `?`, as in ssh_config); nil matches every host.
  public var host: String?
  public var port: UInt16?
  public var reason: String
  /// The last day it applies; nil when the policy says `never`.
  public var expires: PolicyDate?
  /// Where it was written, e.g. `policy.yaml:14:5`, for notes.
  public var location: String?

  public init(rule: String, host: String? = nil, port: UInt16? = nil, reason: String, expires: PolicyDate?, location: String? = nil) {
    self.rule = rule
    self.host = host
    self.port = port
    self.reason = reason
    self.expires = expires
    self.location = location
  }

  /// True once `today` is past the expiry day (the expiry day itself still applies).
  public func isExpired(today: PolicyDate) -> Bool {
    guard let expires else { return false }
    return today > expires
  }

  public func matches(_ finding: Finding) -> Bool {
    guard finding.ruleID == rule else { return false }
    if let host, !Glob.matches(host, finding.host) { return false }
    if let port, finding.socket?.port != port { return false }
    return true
  }

  /// `datastore-exposed on db-* port 5432`, for notes.
  public var summary: String {
    var text = rule
    text += " on \(host ?? "every host")"
    if let port { text += " port \(port)" }
    return text
  }
}
