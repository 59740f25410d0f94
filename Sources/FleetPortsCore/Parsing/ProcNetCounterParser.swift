import Synchronization

/// Parses /proc/net/netstat and /proc/net/snmp: each group is a line of names
/// (`TcpExt: SyncookiesSent …`) followed by a line of values (`TcpExt: 0 …`);
/// /proc/net/snmp6's `Name value` lines are read too, under `Snmp6.`.
public enum ProcNetCounterParser {
  public static func parse(_ bytes: [UInt8]) -> SocketParse {
    bytes.withUnsafeBufferPointer { parse($0) }
  }

  public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> SocketParse {
    var result = SocketParse(format: .procNetCounters)
    // The names line's keys (`Group.Name`), waiting for the values line.
    var pending: (number: Int, group: String, names: [String])?
    forEachLine(buffer) { number, line in
      result.report.linesRead += 1
      if line.isBlank {
        result.report.linesIgnored += 1
        return
      }
      let fields = fieldRanges(line)
      // /proc/net/snmp6 has one `Name value` pair a line.
      if fields.count == 2, line[fields[0].upperBound - 1] != 58, let value = signedDecimal(line, fields[1]) {
        result.counters.values[CounterNames.shared("Snmp6.\(line.string(fields[0]))")] = value
        result.report.linesUnderstood += 1
        return
      }
      guard let first = fields.first, line[first.upperBound - 1] == 58, first.count > 1 else {
        result.report.reject(line: number, reason: "expected 'Group: …'", bytes: line)
        return
      }
      let group = line.string(first.lowerBound..<(first.upperBound - 1))
      let rest = fields.dropFirst()
      if let header = pending, header.group == group {
        pending = nil
        guard rest.count == header.names.count else {
          result.report.reject(line: header.number, reason: "\(group): \(header.names.count) names but \(rest.count) values", bytes: line)
          result.report.reject(line: number, reason: "\(group): values do not match the names above", bytes: line)
          return
        }
        var bad = false
        for (key, range) in zip(header.names, rest) {
          guard let value = signedDecimal(line, range) else {
            bad = true
            continue
          }
          result.counters.values[key] = value
        }
        if bad {
          // The names line is only half understood without its values: report both lines.
          result.report.reject(line: header.number, reason: "\(group): names whose values could not all be read", bytes: line)
          result.report.reject(line: number, reason: "\(group): a value is not a number", bytes: line)
        } else {
          result.report.linesUnderstood += 2
        }
        return
      }
      if let stale = pending {
        result.report.reject(line: stale.number, reason: "\(stale.group): names without a value line", bytes: line)
      }
      pending = (number, group, CounterNames.keys(line: line, group: group, names: rest))
    }
    if let stale = pending {
      result.report.unparsedCount += 1
      result.report.unparsed.append(UnparsedLine(lineNumber: stale.number, reason: "\(stale.group): names without a value line", excerpt: stale.group))
    }
    return result
  }

  static func signedDecimal(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
    if line[range.lowerBound] == 45 {
      guard let magnitude = line.decimal((range.lowerBound + 1)..<range.upperBound), magnitude <= UInt64(Int64.max) else { return nil }
      return -Int64(magnitude)
    }
    guard let value = line.decimal(range) else { return nil }
    return Int64(clamping: value)
  }
}

/// Kernel counter keys (`TcpExt.ListenOverflows`) shared by every host's snapshot: each host
/// has ≈ 300 of them and every host the same ones, so a 1,000-host scan held 300,000 copies
/// (17 MB) where one copy each is enough. A names line (`TcpExt: SyncookiesSent …`) is looked
/// up whole, so a host whose kernel prints the same line as another's gets the same keys
/// without making them. The tables stop growing at their limits: a host printing made-up
/// names costs its own strings, never the tables' growth.
enum CounterNames {
  static let lineLimit = 256
  static let keyLimit = 8192
  static let lines = Mutex<[String: [String]]>([:])
  static let table = Mutex<Set<String>>([])

  /// The keys of a names line: `group.name` for each of `names` (ranges into `line`).
  static func keys(line: UnsafeBufferPointer<UInt8>, group: String, names: ArraySlice<Range<Int>>) -> [String] {
    let text = String(decoding: line, as: UTF8.self)
    if let known = lines.withLock({ $0[text] }) { return known }
    let keys = names.map { "\(group).\(line.string($0))" }
    lines.withLock { table in
      if table[text] == nil, table.count < lineLimit { table[text] = keys }
    }
    return keys
  }

  /// `key`, or the equal string already in the table (the same storage, reference-counted).
  static func shared(_ key: String) -> String {
    table.withLock { names in
      if let index = names.firstIndex(of: key) { return names[index] }
      if names.count < keyLimit { names.insert(key) }
      return key
    }
  }
}
