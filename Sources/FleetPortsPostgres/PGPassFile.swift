/// A libpq password file (`~/.pgpass`, or `PGPASSFILE`): one `hostname:port:database:username:password`
/// a line, `*` matching anything in the first four fields, `\:` and `\\` escapes, `#` comments;
/// the first line that matches wins (PostgreSQL 15 docs, "The Password File"). Pure: the text
/// comes in; reading the file and its permission check are in `PostgresPassword`.
public struct PGPassFile: Hashable, Sendable {
  /// One line's five fields, unescaped.
  public struct Entry: Hashable, Sendable {
    public var host: String
    public var port: String
    public var database: String
    public var user: String
    public var password: String
  }

  public var entries: [Entry]

  /// The entries of `text`; lines with fewer than five fields are skipped, as libpq does.
  public init(_ text: String) {
    entries = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).compactMap { line in
      guard !line.hasPrefix("#") else { return nil }
      let fields = PGPassFile.fields(String(line))
      guard fields.count >= 5 else { return nil }
      return Entry(host: fields[0], port: fields[1], database: fields[2], user: fields[3], password: fields[4...].joined(separator: ":"))
    }
  }

  /// The password for this connection, from the first entry whose four fields match (or are `*`).
  /// `localhost` in the file also matches a connection to 127.0.0.1 or ::1 only when the host
  /// asked for is literally `localhost`, as libpq compares host names as text.
  public func password(host: String, port: Int, database: String, user: String) -> String? {
    let wanted = [host, String(port), database, user]
    return entries.first { entry in
      zip([entry.host, entry.port, entry.database, entry.user], wanted).allSatisfy { field, value in field == "*" || field == value }
    }?.password
  }

  /// A line split at unescaped colons, with `\:` and `\\` unescaped.
  static func fields(_ line: String) -> [String] {
    var fields: [String] = []
    var current = ""
    var escaped = false
    for character in line {
      if escaped {
        current.append(character)
        escaped = false
      } else if character == "\\" {
        escaped = true
      } else if character == ":" {
        fields.append(current)
        current = ""
      } else {
        current.append(character)
      }
    }
    fields.append(current)
    return fields
  }
}
