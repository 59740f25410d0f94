import FleetPortsCore

/// The plain-text socket table `fleetports parse` prints; every host-supplied value is sanitised.
public enum SocketTable {
  /// One row per socket (host-supplied text sanitised), then the counters, one a line.
  public static func render(_ parsed: SocketParse) -> String {
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
    var text = parsed.sockets.isEmpty ? "" : TerminalTable.render(rows)
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
public enum ParseReportText {
  /// The counts of lines read, understood and ignored, then the notes and the lines not understood.
  public static func render(_ report: ParseReport, format: CaptureFormat) -> String {
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
