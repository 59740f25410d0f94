/// Tells which capture format a text is, from its first meaningful lines: ss (any flags,
/// with or without header), netstat, `netstat -s`, lsof columns, lsof `-F`/`-F0` (a set may
/// start at `p`), the /proc/net socket tables (also header-only), /proc/net/unix,
/// /proc/net/sctp/eps and the counter files. nil when nothing is recognised.
public enum FormatDetector {
  /// How many non-blank lines to look at before giving up.
  static let linesToExamine = 20

  public static func detect(_ bytes: [UInt8]) -> CaptureFormat? {
    bytes.withUnsafeBufferPointer { detect($0) }
  }

  public static func detect(_ buffer: UnsafeBufferPointer<UInt8>) -> CaptureFormat? {
    var verdict: CaptureFormat?
    var examined = 0
    var sawGroupHeader = false
    // lsof -F0 separates fields with NUL: `p123\0c…`.
    if buffer.count > 2, buffer[0] == 112, buffer.prefix(64).contains(0) { return .lsofFields }
    var firstLines: [UnsafeBufferPointer<UInt8>] = []
    forEachLineWhile(buffer) { _, line in
      // Stops at the verdict or after the lines it examines (it used to walk every line).
      guard verdict == nil, examined < linesToExamine else { return false }
      guard !line.isBlank else { return true }
      examined += 1
      firstLines.append(line)
      let fields = LineFields(line, limit: 8)
      if line.hasPrefix("Netid") || (line.hasPrefix("State") && line.firstIndex(of: "Recv-Q") != nil)
        || (line.hasPrefix("Recv-Q") && line.firstIndex(of: "Local Address:Port") != nil)
      {
        verdict = .ss
      } else if line.hasPrefix("Active Internet connections") || line.hasPrefix("Active UNIX domain sockets")
        || line.hasPrefix("Proto Recv-Q") || line.hasPrefix("Proto RefCnt")
      {
        verdict = .netstat
      } else if line.hasPrefix("COMMAND ") && line.firstIndex(of: "PID") != nil {
        verdict = .lsof
      } else if let first = fields.first, line.equals(first, "sl"), fields.count > 1, line.equals(fields[1], "local_address") {
        verdict = procFormat(afterHeader: buffer)
      } else if let first = fields.first, line.equals(first, "ENDPT"), line.firstIndex(of: "LPORT") != nil {
        verdict = .procNetSCTPEndpoints
      } else if let first = fields.first, line.equals(first, "Num"), line.firstIndex(of: "RefCount") != nil {
        verdict = .procNetUnix
      } else if line.hasPrefix("TcpExt:") || line.hasPrefix("IpExt:") || (line.hasPrefix("Ip: ") && fields.count > 3) {
        verdict = .procNetCounters
      } else if fields.count == 2, line.hasPrefix("Ip6"), line.decimal(fields[1]) != nil {
        verdict = .procNetCounters  // /proc/net/snmp6
      } else if !isSpace(line[0]), line[line.count - 1] == 58, fields.count == 1 {
        sawGroupHeader = true  // `Ip:` alone on a line: netstat -s, confirmed by an indented line next
      } else if sawGroupHeader, isSpace(line[0]) {
        verdict = .netstatStatistics
      } else if line[0] == 112, line.count > 1, line.decimal(1..<line.count) != nil {
        verdict = .lsofFields
      } else if fields.count >= 5, let guess = headerlessSS(line, fields) {
        verdict = guess
      } else if let first = fields.first, line[first.upperBound - 1] == 58, fields.count >= 10,
        line.decimal(first.lowerBound..<(first.upperBound - 1)) != nil
      {
        verdict = procFormat(row: line, fields)
      }
      return true
    }
    return verdict
  }

  static func headerlessSS(_ line: UnsafeBufferPointer<UInt8>, _ fields: LineFields) -> CaptureFormat? {
    guard let layout = SSParser.inferLayout(line, fields) else { return nil }
    let start = (layout.hasNetid ? 1 : 0) + (layout.hasState ? 1 : 0)
    guard fields.count > start + 1, line.decimal(fields[start]) != nil, line.decimal(fields[start + 1]) != nil else { return nil }
    // netstat rows start with `tcp`/`udp` too but carry tcp6/udp6 or no state column words.
    return .ss
  }

  /// /proc/net/tcp vs udp vs raw vs the v6 tables, from the header (and the first row, if
  /// any). The header alone decides the family (`rem_address` in the v4 tables,
  /// `remote_address` in the v6 ones) and TCP vs datagram (`drops`), so a table with no rows
  /// (raw6 of a host without raw sockets) is recognised too. The v4 raw header starts with two
  /// blanks before `sl`, the udp/udplite one with three (`raw_seq_show()` vs `udp4_seq_show()`);
  /// raw6 and udp6 headers are the same: those read as udp6 (name raw6 with `--as`).
  static func procFormat(afterHeader buffer: UnsafeBufferPointer<UInt8>) -> CaptureFormat {
    var format = CaptureFormat.procNetTCP
    var lineIndex = 0
    var isUDPStyle = false
    forEachLineWhile(buffer) { _, line in
      lineIndex += 1
      guard lineIndex <= 2 else { return false }
      if lineIndex == 1 {
        isUDPStyle = line.firstIndex(of: "drops") != nil
        let isV6 = line.firstIndex(of: "remote_address") != nil
        let isRaw = isUDPStyle && !isV6 && line.hasPrefix("  sl ")
        switch (isUDPStyle, isV6) {
        case (false, false): format = .procNetTCP
        case (false, true): format = .procNetTCP6
        case (true, false): format = isRaw ? .procNetRaw : .procNetUDP
        case (true, true): format = .procNetUDP6
        }
      } else {
        let fields = fieldRanges(line, limit: 3)
        if fields.count >= 2, fields[1].count == 37, format == .procNetTCP || format == .procNetUDP {
          format = isUDPStyle ? .procNetUDP6 : .procNetTCP6
        }
      }
      return true
    }
    return format
  }

  static func procFormat(row line: UnsafeBufferPointer<UInt8>, _ fields: LineFields) -> CaptureFormat? {
    guard fields.count > 1 else { return nil }
    switch fields[1].count {
    case 13: return .procNetTCP
    case 37: return .procNetTCP6
    default: return nil
    }
  }
}
