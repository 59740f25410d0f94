import Foundation

/// An OpenSSH known_hosts file, read in Swift: plain names, comma lists, `[host]:port`,
/// wildcards and negations, hashed `|1|salt|hash` names, and the `@revoked` and
/// `@cert-authority` markers.
public struct KnownHosts: Sendable {
  /// One key line.
  public struct Entry: Hashable, Sendable {
    public enum Marker: String, Hashable, Sendable {
      case none
      case revoked = "@revoked"
      case certAuthority = "@cert-authority"
    }

    public enum Names: Hashable, Sendable {
      /// Comma-separated patterns (`web1,10.0.0.1`, `[web1]:2222`, `*.example.com`, `!bad`).
      case patterns([String])
      /// `|1|salt|hash`: only a given name can be checked against it.
      case hashed(salt: [UInt8], hash: [UInt8])
    }

    public var lineNumber: Int
    public var marker: Marker
    public var names: Names
    public var keyType: String
    /// The key blob, base64 as in the file.
    public var keyBase64: String
  }

  public var entries: [Entry] {
    didSet { lookup = NameLookup(entries) }
  }
  /// Lines that are neither comments nor readable entries.
  public var unreadable: [UnparsedLine]
  /// Which entries a name can match, made once: a scan looks every host up twice, and
  /// matching every line of a 1,000-host file for each was a tenth of the controller's CPU.
  var lookup: NameLookup

  public init(entries: [Entry] = [], unreadable: [UnparsedLine] = []) {
    self.entries = entries
    self.unreadable = unreadable
    lookup = NameLookup(entries)
  }

  /// The entries a name can match, by index into `entries`: lines whose names are all plain
  /// (no wildcard, no negation) under each of those names; every other line (hashed, with a
  /// wildcard or a negation) is a candidate for every name and matched as before.
  struct NameLookup: Sendable {
    var byName: [String: [Int]] = [:]
    var everyName: [Int] = []
    var revoked: [Int] = []

    init(_ entries: [Entry]) {
      for (index, entry) in entries.enumerated() {
        if entry.marker == .revoked { revoked.append(index) }
        guard case .patterns(let patterns) = entry.names,
          !patterns.contains(where: { $0.hasPrefix("!") || $0.contains("*") || $0.contains("?") })
        else {
          everyName.append(index)
          continue
        }
        for pattern in Set(patterns) { byName[pattern, default: []].append(index) }
      }
    }

    /// Indices of the entries that may match `name`, in file order.
    func candidates(_ name: String) -> [Int] {
      let plain = byName[name] ?? []
      if everyName.isEmpty { return plain }
      if plain.isEmpty { return everyName }
      return (plain + everyName).sorted()
    }
  }

  public static func parse(_ text: String) -> KnownHosts {
    // Collected apart and set once: each change of `entries` makes its lookup again.
    var result = (entries: [Entry](), unreadable: [UnparsedLine]())
    for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
      let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      var fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      var marker = Entry.Marker.none
      if let first = fields.first, first.hasPrefix("@") {
        guard let known = Entry.Marker(rawValue: first) else {
          result.unreadable.append(UnparsedLine(lineNumber: index + 1, reason: "unknown marker \(first)", excerpt: String(line.prefix(120))))
          continue
        }
        marker = known
        fields.removeFirst()
      }
      guard fields.count >= 3 else {
        result.unreadable.append(UnparsedLine(lineNumber: index + 1, reason: "expected: names key-type base64-key", excerpt: String(line.prefix(120))))
        continue
      }
      guard let blob = Data(base64Encoded: fields[2]), KnownHosts.blobType(Array(blob)) == fields[1] else {
        result.unreadable.append(UnparsedLine(lineNumber: index + 1, reason: "the key is not base64 of a \(fields[1]) key", excerpt: String(line.prefix(120))))
        continue
      }
      let names: Entry.Names
      if fields[0].hasPrefix("|1|") {
        let parts = fields[0].split(separator: "|", omittingEmptySubsequences: true)
        guard parts.count == 3, let salt = Data(base64Encoded: String(parts[1])), let hash = Data(base64Encoded: String(parts[2])) else {
          result.unreadable.append(UnparsedLine(lineNumber: index + 1, reason: "hashed name is not |1|salt|hash", excerpt: String(line.prefix(120))))
          continue
        }
        names = .hashed(salt: Array(salt), hash: Array(hash))
      } else {
        names = .patterns(fields[0].split(separator: ",").map { $0.lowercased() })
      }
      result.entries.append(Entry(lineNumber: index + 1, marker: marker, names: names, keyType: fields[1], keyBase64: fields[2]))
    }
    return KnownHosts(entries: result.entries, unreadable: result.unreadable)
  }

  /// The key type named inside an SSH public key blob (a length-prefixed string).
  static func blobType(_ blob: [UInt8]) -> String? {
    guard blob.count >= 4 else { return nil }
    let length = Int(blob[0]) << 24 | Int(blob[1]) << 16 | Int(blob[2]) << 8 | Int(blob[3])
    guard length > 0, length <= 64, blob.count >= 4 + length else { return nil }
    return String(decoding: blob[4..<(4 + length)], as: UTF8.self)
  }

  /// The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise.
  public static func lookupName(host: String, port: Int) -> String {
    let lower = host.lowercased()
    return port == 22 ? lower : "[\(lower)]:\(port)"
  }

  /// The entries whose names match `host` on `port`.
  public func entries(host: String, port: Int) -> [Entry] {
    let name = KnownHosts.lookupName(host: host, port: port)
    return lookup.candidates(name).map { entries[$0] }.filter { $0.matches(name) }
  }

  /// The key types known for a host, in file order, for libssh2's host-key preference.
  public func keyTypes(host: String, port: Int) -> [String] {
    var seen: [String] = []
    for entry in entries(host: host, port: port) where entry.marker == .none && !seen.contains(entry.keyType) {
      seen.append(entry.keyType)
    }
    return seen
  }

  /// Judges the key a server presented.
  public func verify(host: String, port: Int, keyType: String, keyBase64: String) -> HostKeyVerdict {
    let matching = entries(host: host, port: port)
    if let revoked = lookup.revoked.lazy.map({ entries[$0] }).first(where: { $0.keyBase64 == keyBase64 }) {
      return .revoked(line: revoked.lineNumber)
    }
    let plain = matching.filter { $0.marker == .none }
    if let trusted = plain.first(where: { $0.keyType == keyType && $0.keyBase64 == keyBase64 }) {
      return .trusted(line: trusted.lineNumber)
    }
    if !plain.isEmpty {
      return .changed(knownLines: plain.map(\.lineNumber), knownTypes: plain.map(\.keyType))
    }
    if matching.contains(where: { $0.marker == .certAuthority }) {
      return .certificateAuthorityUnsupported
    }
    return .unknown
  }

  /// A line `accept-new` appends for a host it had never seen.
  public static func line(host: String, port: Int, keyType: String, keyBase64: String) -> String {
    "\(lookupName(host: host, port: port)) \(keyType) \(keyBase64)"
  }
}

/// What known_hosts says about the key a host presented.
public enum HostKeyVerdict: Hashable, Sendable {
  case trusted(line: Int)
  /// No entry for this host at all.
  case unknown
  /// Entries exist for this host and none holds this key: refused in every checking mode.
  case changed(knownLines: [Int], knownTypes: [String])
  case revoked(line: Int)
  /// Only `@cert-authority` lines match; host certificates are not supported by libssh2 1.10.
  case certificateAuthorityUnsupported
}

extension KnownHosts.Entry {
  /// True when `name` (already `[host]:port` for non-22 ports) matches this line's names.
  func matches(_ name: String) -> Bool {
    switch names {
    case .hashed(let salt, let hash):
      return SHA1.hmac(key: salt, message: Array(name.utf8)) == hash
    case .patterns(let patterns):
      var matched = false
      for pattern in patterns {
        if pattern.hasPrefix("!") {
          if Glob.matches(String(pattern.dropFirst()), name) { return false }
        } else if Glob.matches(pattern, name) {
          matched = true
        }
      }
      return matched
    }
  }
}

/// OpenSSH's `*` and `?` patterns.
enum Glob {
  static func matches(_ pattern: String, _ text: String) -> Bool {
    let p = Array(pattern.utf8)
    let t = Array(text.utf8)
    var pi = 0
    var ti = 0
    var star = -1
    var mark = 0
    while ti < t.count {
      if pi < p.count && (p[pi] == 63 || p[pi] == t[ti]) {
        pi += 1
        ti += 1
      } else if pi < p.count && p[pi] == 42 {
        star = pi
        mark = ti
        pi += 1
      } else if star >= 0 {
        pi = star + 1
        mark += 1
        ti = mark
      } else {
        return false
      }
    }
    while pi < p.count && p[pi] == 42 { pi += 1 }
    return pi == p.count
  }
}
