import FleetPortsCore

/// The plain-text socket table `fleetports parse` prints; every host-supplied value is sanitised.
enum SocketTable {
  static func render(_ parsed: SocketParse) -> String {
    var rows: [[String]] = [["PROTO", "STATE", "LOCAL", "PEER", "RECV-Q", "SEND-Q", "INODE", "USER", "PROCESS", "NOTES"]]
    for socket in parsed.sockets {
      let local: String
      let peer: String
      if let unix = socket.unix {
        local = unix.path.map { (unix.isAbstract ? "@" : "") + $0 } ?? "*"
        peer = unix.peerInode.map { "inode \($0)" } ?? "*"
      } else {
        local = (socket.local?.description ?? "-") + (socket.ipProtocol.map { " proto \($0)" } ?? "")
        peer = socket.peer?.description ?? "-"
      }
      var proto = socket.kindName
      if let family = socket.family { proto += family == .ipv6 ? "6" : "" }
      if let type = socket.unix?.type { proto += "/" + type.rawValue }
      let owners = socket.processes.map { owner in
        var text = "\"\(owner.name)\""
        if let pid = owner.pid { text += " pid=\(pid)" }
        if let fd = owner.fd { text += " fd=\(fd)" }
        return text
      }.joined(separator: ", ")
      let user: String = socket.user ?? socket.uid.map { String($0) } ?? "-"
      let state: String = socket.state?.rawValue ?? "-"
      let recvQ: String = socket.receiveQueue.map { String($0) } ?? "-"
      let sendQ: String = socket.sendQueue.map { String($0) } ?? "-"
      let inode: String = socket.inode.map { String($0) } ?? "-"
      let notes: String = socket.dataLoss.map(\.rawValue).sorted().joined(separator: ",")
      let cells: [String] = [proto, state, local, peer, recvQ, sendQ, inode, user, owners.isEmpty ? "-" : owners, notes]
      rows.append(cells.map(TerminalText.sanitize))
    }
    var text = ""
    if !parsed.sockets.isEmpty {
      let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
      for row in rows {
        let cells = row.enumerated().map { index, cell in
          index == row.count - 1 ? cell : cell.padding(to: widths[index])
        }
        text += cells.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
      }
    }
    if !parsed.counters.isEmpty {
      if !text.isEmpty { text += "\n" }
      for (name, value) in parsed.counters.values.sorted(by: { $0.key < $1.key }) {
        text += TerminalText.sanitize(name) + " " + String(value) + "\n"
      }
    }
    return text
  }
}

/// The parse report as `fleetports parse` prints it on standard error.
enum ParseReportText {
  static func render(_ report: ParseReport, format: CaptureFormat) -> String {
    var text = "format: \(format.rawValue); lines read \(report.linesRead), understood \(report.linesUnderstood), ignored \(report.linesIgnored), not understood \(report.unparsedCount)\n"
    for note in report.notes { text += "note: \(TerminalText.sanitize(note))\n" }
    for line in report.unparsed {
      text += "line \(line.lineNumber): \(TerminalText.sanitize(line.reason)): \(TerminalText.sanitize(line.excerpt))\n"
    }
    if report.unparsedCount > report.unparsed.count {
      text += "… and \(report.unparsedCount - report.unparsed.count) more lines not understood\n"
    }
    return text
  }
}

extension String {
  func padding(to width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }

  func trimmingTrailingSpaces() -> String {
    var result = Substring(self)
    while result.last == " " { result = result.dropLast() }
    return String(result)
  }
}
