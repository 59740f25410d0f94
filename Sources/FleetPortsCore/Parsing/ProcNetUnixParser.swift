/// Parses /proc/net/unix: `Num RefCount Protocol Flags Type St Inode Path`.
/// The path is the rest of the line (it may hold spaces); abstract names start with `@`.
public enum ProcNetUnixParser {
  /// `__SO_ACCEPTCON`: the socket is listening.
  static let acceptConnectionsFlag: UInt64 = 0x10000

  public static func parse(_ bytes: [UInt8]) -> SocketParse {
    bytes.withUnsafeBufferPointer { parse($0) }
  }

  public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> SocketParse {
    var result = SocketParse(format: .procNetUnix)
    forEachLine(buffer) { number, line in
      result.report.linesRead += 1
      var cursor = FieldCursor(line)
      guard let num = cursor.next() else {
        result.report.linesIgnored += 1
        return
      }
      if line.equals(num, "Num") {
        result.report.linesIgnored += 1
        return
      }
      guard line[num.upperBound - 1] == 58,
        cursor.next() != nil, cursor.next() != nil,
        let flagsRange = cursor.next(), let flags = line.hex(flagsRange),
        let typeRange = cursor.next(), let type = line.hex(typeRange),
        let stRange = cursor.next(), let st = line.hex(stRange),
        let inodeRange = cursor.next(), let inode = line.decimal(inodeRange)
      else {
        result.report.reject(line: number, reason: "not a /proc/net/unix row (Num: RefCount Protocol Flags Type St Inode)", bytes: line)
        return
      }
      var path: String?
      var abstract = false
      if inodeRange.upperBound + 1 < line.count {
        let text = line.string((inodeRange.upperBound + 1)..<line.count)
        if text.hasPrefix("@") {
          abstract = true
          path = String(text.dropFirst())
        } else if !text.isEmpty {
          path = text
        }
      }
      let socketType: UnixSocketType?
      switch type {
      case 1: socketType = .stream
      case 2: socketType = .datagram
      case 5: socketType = .seqpacket
      default: socketType = nil
      }
      let state: SocketState?
      if flags & acceptConnectionsFlag != 0 {
        state = .listen
      } else {
        switch st {
        case 1: state = .unconnected
        case 2: state = .connecting
        case 3: state = .established
        case 4: state = .disconnecting
        default: state = nil
        }
      }
      result.sockets.append(
        SocketRecord(
          proto: .unix, state: state, inode: inode,
          unix: UnixSocketDetails(path: path, isAbstract: abstract, type: socketType)))
      result.report.linesUnderstood += 1
    }
    return result
  }
}
