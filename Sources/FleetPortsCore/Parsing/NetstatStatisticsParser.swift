/// Parses `netstat -s` into kernel counters. net-tools prints most counters as phrases
/// ("12 times the listen queue of a socket overflowed"); the known phrases map to the
/// kernel's names (`TcpExt.ListenOverflows`), every other line is kept under
/// `Group.<phrase with # for the number>` so nothing is lost.
public enum NetstatStatisticsParser {
  /// Phrases from net-tools `statistics.c` and the kernel counter each one prints.
  static let phrases: [String: String] = [
    "Ip.# total packets received": "InReceives",
    "Ip.# forwarded": "ForwDatagrams",
    "Ip.# incoming packets discarded": "InDiscards",
    "Ip.# incoming packets delivered": "InDelivers",
    "Ip.# requests sent out": "OutRequests",
    "Tcp.# active connection openings": "ActiveOpens",
    "Tcp.# active connections openings": "ActiveOpens",
    "Tcp.# passive connection openings": "PassiveOpens",
    "Tcp.# failed connection attempts": "AttemptFails",
    "Tcp.# connection resets received": "EstabResets",
    "Tcp.# connections established": "CurrEstab",
    "Tcp.# segments received": "InSegs",
    "Tcp.# segments sent out": "OutSegs",
    "Tcp.# segments send out": "OutSegs",
    "Tcp.# segments retransmitted": "RetransSegs",
    "Tcp.# segments retransmited": "RetransSegs",
    "Tcp.# bad segments received": "InErrs",
    "Tcp.# bad segments received.": "InErrs",
    "Tcp.# resets sent": "OutRsts",
    "Udp.# packets received": "InDatagrams",
    "Udp.# packets to unknown port received": "NoPorts",
    "Udp.# packets to unknown port received.": "NoPorts",
    "Udp.# packet receive errors": "InErrors",
    "Udp.# packets sent": "OutDatagrams",
    "Udp.# receive buffer errors": "RcvbufErrors",
    "Udp.# send buffer errors": "SndbufErrors",
    "TcpExt.# times the listen queue of a socket overflowed": "ListenOverflows",
    "TcpExt.# SYNs to LISTEN sockets dropped": "ListenDrops",
    "TcpExt.# SYNs to LISTEN sockets ignored": "ListenDrops",
    "TcpExt.# TCP sockets finished time wait in fast timer": "TW",
    "TcpExt.# connections reset due to unexpected data": "TCPAbortOnData",
    "TcpExt.# connections reset due to early user close": "TCPAbortOnClose",
    "TcpExt.# connections aborted due to timeout": "TCPAbortOnTimeout",
  ]

  public static func parse(_ bytes: [UInt8]) -> SocketParse {
    bytes.withUnsafeBufferPointer { parse($0) }
  }

  public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> SocketParse {
    var result = SocketParse(format: .netstatStatistics)
    var group: String?
    forEachLine(buffer) { number, line in
      result.report.linesRead += 1
      if line.isBlank {
        result.report.linesIgnored += 1
        return
      }
      let text = String(decoding: line, as: UTF8.self)
      if !isSpace(line[0]) {
        guard text.hasSuffix(":"), !text.dropLast().contains(" ") else {
          result.report.reject(line: number, reason: "expected a group header such as 'Tcp:'", bytes: line)
          return
        }
        group = String(text.dropLast())
        result.report.linesIgnored += 1
        return
      }
      guard let group else {
        result.report.reject(line: number, reason: "counter before any group header", bytes: line)
        return
      }
      let trimmed = text.trimmingSpaces()
      // `Name: value` (counters net-tools has no phrase for, and IpExt/TcpExt extras).
      if let colon = trimmed.lastIndex(of: ":") {
        let valueText = trimmed[trimmed.index(after: colon)...].trimmingSpaces()
        if valueText.isEmpty {
          result.report.linesIgnored += 1  // a sub-heading such as "ICMP input histogram:"
          return
        }
        if let value = Int64(valueText) {
          let name = trimmed[..<colon].trimmingSpaces()
          result.counters.values["\(group).\(name)"] = value
          result.report.linesUnderstood += 1
          return
        }
      }
      // A phrase with one number in it.
      let words = trimmed.split(separator: " ", omittingEmptySubsequences: true)
      let numeric = words.enumerated().filter { Int64($0.element) != nil }
      guard numeric.count == 1, let value = Int64(numeric[0].element) else {
        result.report.reject(line: number, reason: "expected one number in a counter line", bytes: line)
        return
      }
      var phraseWords = words.map(String.init)
      phraseWords[numeric[0].offset] = "#"
      let phrase = "\(group).\(phraseWords.joined(separator: " "))"
      if let name = phrases[phrase] {
        result.counters.values["\(group).\(name)"] = value
      } else {
        result.counters.values[phrase] = value
      }
      result.report.linesUnderstood += 1
    }
    return result
  }
}

extension StringProtocol {
  func trimmingSpaces() -> String {
    var scalars = Substring(self)
    while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
    while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
    return String(scalars)
  }
}
