/// Parses `lsof -F` field output (`p`, `c`, `u`, `L`, `f`, `t`, `P`, `n`, `i`, `T` fields),
/// newline-terminated or NUL-terminated (`-F0`, where each set ends with a newline).
public enum LsofFieldParser {
  public static func parse(_ bytes: [UInt8]) -> SocketParse {
    bytes.withUnsafeBufferPointer { parse($0) }
  }

  /// The file set being read: one socket held by one process's descriptor.
  struct FileSet {
    var line: Int
    var fd: Int32?
    var type: String?
    var proto: String?
    var name: String?
    var inode: UInt64?
    var tcpState: String?
    var receiveQueue: UInt64?
    var sendQueue: UInt64?
  }

  struct ProcessSet {
    var pid: Int32?
    var command: String?
    var uid: UInt32?
    var login: String?
  }

  public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> SocketParse {
    var result = SocketParse(format: .lsofFields)
    var process = ProcessSet()
    var file: FileSet?
    var byInode: [UInt64: Int] = [:]
    var linesWithFields = Set<Int>()
    var badLines = Set<Int>()

    func finish(_ set: FileSet?) {
      guard let set else { return }
      guard let type = set.type else {
        result.report.reject(line: set.line, reason: "file set without a type (t) field", bytes: UnsafeBufferPointer(start: nil, count: 0))
        badLines.insert(set.line)
        return
      }
      var record: SocketRecord
      switch type {
      case "IPv4", "IPv6":
        let family: IPFamily = type == "IPv4" ? .ipv4 : .ipv6
        guard let protoText = set.proto, let proto = LsofName.ipProtocol(protoText),
          let name = set.name, let parsed = LsofName.ipRecord(name, proto: proto, family: family, tcpState: set.tcpState)
        else {
          result.report.reject(line: set.line, reason: "IP file set without a protocol and address it could read", bytes: UnsafeBufferPointer(start: nil, count: 0))
          badLines.insert(set.line)
          return
        }
        record = parsed
        record.inode = set.inode
      case "unix":
        record = LsofName.unixRecord(set.name ?? "", inode: set.inode ?? 0)
        if set.inode == nil { record.inode = nil }
        if let state = set.tcpState.flatMap({ SocketState(toolSpelling: Substring($0)) }) { record.state = state }
      default:
        return  // not a socket (lsof -F of a whole process lists files too); nothing to keep
      }
      record.receiveQueue = set.receiveQueue
      record.sendQueue = set.sendQueue
      record.uid = process.uid
      record.user = process.login
      let owner = OwningProcess(name: process.command ?? "", pid: process.pid, fd: set.fd)
      if (process.command?.utf8.count ?? 0) >= SSProcessList.commLimit { record.dataLoss.insert(.processNameMayBeTruncated) }
      if let inode = record.inode, let index = byInode[inode], result.sockets[index].proto == record.proto {
        result.sockets[index].processes.append(owner)
      } else {
        record.processes = [owner]
        if let inode = record.inode { byInode[inode] = result.sockets.count }
        result.sockets.append(record)
      }
    }

    forEachLine(buffer) { number, line in
      result.report.linesRead += 1
      // With -F0 fields end in NUL; otherwise the line is one field.
      var start = 0
      var sawField = false
      while start <= line.count {
        var end = start
        while end < line.count && line[end] != 0 { end += 1 }
        if end > start {
          sawField = true
          let field = line.slice(start..<end)
          let value = field.count > 1 ? field.string(1..<field.count) : ""
          switch field[0] {
          case 112:  // p
            finish(file)
            file = nil
            process = ProcessSet(pid: Int32(value))
          case 99: process.command = LsofName.decodeEscapes(value)  // c
          case 117: process.uid = UInt32(value)  // u
          case 76: process.login = value  // L
          case 102:  // f
            finish(file)
            file = FileSet(line: number, fd: Int32(value))
          case 116: file?.type = value  // t
          case 80: file?.proto = value  // P
          case 110: file?.name = value  // n
          case 105: file?.inode = UInt64(value)  // i
          case 84:  // T: ST=LISTEN, QR=0, QS=0
            if value.hasPrefix("ST=") {
              file?.tcpState = String(value.dropFirst(3))
            } else if value.hasPrefix("QR=") {
              file?.receiveQueue = UInt64(value.dropFirst(3))
            } else if value.hasPrefix("QS=") {
              file?.sendQueue = UInt64(value.dropFirst(3))
            }
          case 103, 82, 97, 108, 100, 68, 115, 111, 107, 75, 77, 83, 71, 78, 122, 90:
            break  // g R a l d D s o k K M S G N z Z: not needed for sockets
          default:
            result.report.reject(line: number, reason: "unknown lsof field '\(Character(Unicode.Scalar(field[0])))'", bytes: field)
            badLines.insert(number)
          }
        }
        start = end + 1
      }
      if sawField { linesWithFields.insert(number) } else { result.report.linesIgnored += 1 }
    }
    finish(file)
    result.report.linesUnderstood = linesWithFields.subtracting(badLines).count
    return result
  }
}
