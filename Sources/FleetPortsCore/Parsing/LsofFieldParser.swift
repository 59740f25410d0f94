/// Parses `lsof -F` field output (lsof 4.9x on Linux: `p`, `c`, `u`, `L`, `f`, `t`, `P`, `n`,
/// `i`, `T` fields and the rest skipped), newline-terminated or NUL-terminated (`-F0`, where
/// each set ends with a newline), with ANY subset of the fields lsof accepts.
///
/// A file set starts at `f`; without `f` (`-F pctPn`, `-F pcn`) it starts at the first field
/// of a file set seen again (`t`, `P`, `n` …). Without `t` the family comes from the address,
/// without `P` the protocol is `.unknown` (`DataLoss.protocolUnknown`), without `T` a TCP
/// socket's state is nil (`DataLoss.stateUnknown`); the socket is kept either way. `T` fields
/// `ST=`, `QR=`, `QS=` give state and queues. `tsock` with `nprotocol: TCP` is a socket lsof
/// could not decode (kept, `DataLoss.addressUnknown`). Without `-P`/`-n`, names become numbers.
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
    /// File-set field letters seen so far (bit per ASCII letter), to find where the next set starts.
    var seen: UInt64 = 0
  }

  struct ProcessSet {
    var pid: Int32?
    var command: String?
    var uid: UInt32?
    var login: String?
  }

  /// The bit of a file-set field letter in `FileSet.seen` (`T` repeats within a set: none).
  @inline(__always) static func fieldBit(_ letter: UInt8) -> UInt64 {
    letter == 84 ? 0 : 1 << UInt64(letter & 63)
  }

  public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> SocketParse {
    var result = SocketParse(format: .lsofFields)
    var process = ProcessSet()
    var file: FileSet?
    var byInode: [UInt64: Int] = [:]
    var linesWithFields = Set<Int>()
    var badLines = Set<Int>()
    var names = EndpointNames.Outcome()
    var skippedUntyped = 0

    func finish(_ set: FileSet?) {
      guard let set else { return }
      var record: SocketRecord
      switch set.type {
      case "IPv4", "IPv6", nil:
        let family: IPFamily? = set.type == "IPv4" ? .ipv4 : (set.type == "IPv6" ? .ipv6 : nil)
        guard let name = set.name else {
          if set.type == nil { return }  // an empty set (only fields we skip): nothing to keep
          result.report.reject(line: set.line, reason: "IP file set without an address (n) field", bytes: UnsafeBufferPointer(start: nil, count: 0))
          badLines.insert(set.line)
          return
        }
        var proto = SocketProtocol.unknown
        if let protoText = set.proto {
          guard let known = LsofName.ipProtocol(protoText) else {
            result.report.reject(line: set.line, reason: "unsupported protocol '\(protoText)'", bytes: UnsafeBufferPointer(start: nil, count: 0))
            badLines.insert(set.line)
            return
          }
          proto = known
        }
        guard let parsed = LsofName.ipRecord(name, proto: proto, family: family, tcpState: set.tcpState) else {
          if set.type == nil {
            skippedUntyped += 1  // no t field and not an address: a file, not a socket
            return
          }
          result.report.reject(line: set.line, reason: "IP file set whose address it could not read", bytes: UnsafeBufferPointer(start: nil, count: 0))
          badLines.insert(set.line)
          return
        }
        record = parsed
        if proto == .unknown {
          record.dataLoss.insert(.protocolUnknown)
          record.dataLoss.insert(.stateUnknown)
          record.state = set.tcpState.flatMap { SocketState(toolSpelling: Substring($0)) }
        }
        record.inode = set.inode
      case "unix":
        record = LsofName.unixRecord(set.name ?? "", inode: set.inode ?? 0)
        if set.inode == nil { record.inode = nil }
        if let state = set.tcpState.flatMap({ SocketState(toolSpelling: Substring($0)) }) { record.state = state }
      case "sock":
        record = LsofName.undecodedRecord(set.name ?? "", inode: set.inode ?? 0)
        if set.inode == nil { record.inode = nil }
      default:
        return  // not a socket (lsof -F of a whole process lists files too); nothing to keep
      }
      if let queue = set.receiveQueue { record.receiveQueue = queue }
      if let queue = set.sendQueue { record.sendQueue = queue }
      names.formUnion(EndpointNames.normalise(&record))
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

    /// The set a file-set field belongs to: the current one, or a new one when it already has this field.
    func fileSet(for letter: UInt8, line number: Int) {
      let bit = fieldBit(letter)
      if var current = file {
        if current.seen & bit != 0 {
          finish(current)
          file = FileSet(line: number, seen: bit)
        } else {
          current.seen |= bit
          file = current
        }
      } else {
        file = FileSet(line: number, seen: bit)
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
            file = FileSet(line: number, fd: Int32(value), seen: fieldBit(102))
          case 116:  // t
            fileSet(for: 116, line: number)
            file?.type = value
          case 80:  // P
            fileSet(for: 80, line: number)
            file?.proto = value
          case 110:  // n
            fileSet(for: 110, line: number)
            file?.name = value
          case 105:  // i
            fileSet(for: 105, line: number)
            file?.inode = UInt64(value)
          case 84:  // T: ST=LISTEN, QR=0, QS=0
            if file == nil { file = FileSet(line: number) }
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
    EndpointNames.note(names, into: &result.report)
    if result.sockets.contains(where: { $0.dataLoss.contains(.protocolUnknown) }) {
      result.report.note("the field list has no P (protocol): those sockets are kept with protocol unknown")
    }
    if result.sockets.contains(where: { $0.proto != .unknown && $0.dataLoss.contains(.stateUnknown) && !$0.dataLoss.contains(.addressUnknown) }) {
      result.report.note("the field list has no T (TCP state): those TCP sockets are kept with state unknown; one bound with no peer counts as listening")
    }
    if result.sockets.contains(where: { $0.dataLoss.contains(.addressUnknown) }) {
      result.report.note("lsof could not decode some sockets (t sock, n 'protocol: …'; often a socket in another network namespace): kept without addresses")
    }
    if skippedUntyped > 0 {
      result.report.note("\(skippedUntyped) file sets without a t field whose name is not an address were skipped as files, not sockets")
    }
    return result
  }
}
