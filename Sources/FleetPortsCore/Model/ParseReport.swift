/// A line a parser could not read, with where it was and why.
public struct UnparsedLine: Hashable, Sendable, Codable {
  public var lineNumber: Int
  public var reason: String
  /// The start of the line, control characters replaced, capped so hostile input stays small.
  public var excerpt: String

  public init(lineNumber: Int, reason: String, excerpt: String) {
    self.lineNumber = lineNumber
    self.reason = reason
    self.excerpt = excerpt
  }
}

/// What a parser read: how many lines, how many it understood, and every one it did not.
public struct ParseReport: Hashable, Sendable, Codable {
  public var linesRead: Int = 0
  /// Lines that became records (or counters).
  public var linesUnderstood: Int = 0
  /// Headers, blank lines and known notices such as netstat's "(Not all processes could be identified…)".
  public var linesIgnored: Int = 0
  /// Lines not understood, up to `unparsedLimit`; `unparsedCount` counts them all.
  public var unparsed: [UnparsedLine] = []
  public var unparsedCount: Int = 0
  /// Notes about the whole input, e.g. "process attribution needs root".
  public var notes: [String] = []
  /// The tool said it could not see other users' processes (netstat without root): the
  /// owners it printed are partial. Decided from the tool's own notice, not from `notes`' wording.
  public var ownersOfOtherUsersHidden = false

  /// How many unparsed lines are kept with their text; the rest are only counted.
  public static let unparsedLimit = 1000

  public init() {}

  mutating func reject(line: Int, reason: String, bytes: UnsafeBufferPointer<UInt8>) {
    unparsedCount += 1
    guard unparsed.count < ParseReport.unparsedLimit else { return }
    unparsed.append(UnparsedLine(lineNumber: line, reason: reason, excerpt: Excerpt.make(bytes)))
  }

  enum CodingKeys: String, CodingKey {
    case linesRead, linesUnderstood, linesIgnored, unparsed, unparsedCount, notes, ownersOfOtherUsersHidden
  }

  /// `ownersOfOtherUsersHidden` came later: JSON without it reads as false.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    linesRead = try container.decode(Int.self, forKey: .linesRead)
    linesUnderstood = try container.decode(Int.self, forKey: .linesUnderstood)
    linesIgnored = try container.decode(Int.self, forKey: .linesIgnored)
    unparsed = try container.decode([UnparsedLine].self, forKey: .unparsed)
    unparsedCount = try container.decode(Int.self, forKey: .unparsedCount)
    notes = try container.decode([String].self, forKey: .notes)
    ownersOfOtherUsersHidden = try container.decodeIfPresent(Bool.self, forKey: .ownersOfOtherUsersHidden) ?? false
  }

  mutating func note(_ text: String) {
    if !notes.contains(text) { notes.append(text) }
  }
}

/// Turns raw bytes into a short printable excerpt for error reports.
enum Excerpt {
  static let maxBytes = 160

  static func make(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    let cut = bytes.count > maxBytes
    let head = UnsafeBufferPointer(rebasing: bytes[0..<min(bytes.count, maxBytes)])
    var text = String(decoding: head, as: UTF8.self)
    text = String(text.unicodeScalars.map { scalar in
      scalar.value < 0x20 || scalar.value == 0x7f ? "\u{FFFD}" : Character(scalar)
    })
    return cut ? text + "…" : text
  }
}
