/// Parses /proc/net/{tcp,tcp6,udp,udp6,udplite,udplite6,raw,raw6}: hex addresses in the
/// host's byte order, hex state codes, `tx_queue:rx_queue`, uid and inode. Rows with fewer
/// trailing columns (older kernels, short udp rows) are fine as long as the inode is there.
/// A table with its header and no rows is a well-formed empty table (zero sockets, no problem).
/// A raw table's "port" is the socket's IP protocol: it goes to `SocketRecord.ipProtocol`.
///
/// Byte order: the kernel prints each 32-bit address word with `%08X` of the value in host
/// order, so a table read with the wrong `ParseOptions.procByteOrder` shows loopback as
/// `1.0.0.127` and `::100:0`, link-local as `0:80fe::…`, v4-mapped as `::ffff:0:…`. When only
/// such swapped forms appear (and no correctly ordered loopback), the table is read again in
/// the other order and a note says so; when both appear, a note warns.
public enum ProcNetSocketParser {
  public static func parse(
    _ bytes: [UInt8], proto: SocketProtocol, family: IPFamily, options: ParseOptions = ParseOptions()
  ) -> SocketParse {
    bytes.withUnsafeBufferPointer { parse($0, proto: proto, family: family, options: options) }
  }

  public static func parse(
    _ buffer: UnsafeBufferPointer<UInt8>, proto: SocketProtocol, family: IPFamily, options: ParseOptions = ParseOptions()
  ) -> SocketParse {
    var first = parseTable(buffer, proto: proto, family: family, little: options.procByteOrder == .little)
    let evidence = ByteOrderEvidence(first.sockets)
    guard evidence.swapped > 0 else { return first }
    let given = options.procByteOrder
    let other: ParseOptions.ByteOrder = given == .little ? .big : .little
    if evidence.plausible == 0 {
      var second = parseTable(buffer, proto: proto, family: family, little: other == .little)
      let check = ByteOrderEvidence(second.sockets)
      if check.swapped == 0 && check.plausible > 0 {
        second.report.note(
          "addresses read as \(other.rawValue)-endian: read as \(given.rawValue)-endian they were byte-swapped (loopback as 1.0.0.127 or ::100:0); the table's own loopback addresses decided"
        )
        return second
      }
    }
    first.report.note(
      "\(evidence.swapped) addresses look byte-swapped (loopback as 1.0.0.127 or ::100:0, link-local as 0:80fe::): the byte order (\(given.rawValue)) may be wrong for this host; try --byte-order \(other.rawValue)"
    )
    return first
  }

  /// Counts addresses only one byte order makes sense of: loopback, link-local and
  /// v4-mapped forms read the right way (`plausible`) and their byte-swapped images (`swapped`).
  struct ByteOrderEvidence {
    var plausible = 0
    var swapped = 0

    init(_ sockets: [SocketRecord]) {
      sockets.withUnsafeBufferPointer { sockets in
        for index in sockets.indices {
          if let address = sockets[index].local?.address { count(address) }
          if let address = sockets[index].peer?.address { count(address) }
        }
      }
    }

    // One address at a time (an array of the two endpoints cost an allocation per socket).
    private mutating func count(_ address: HostAddress) {
      switch address {
      case .ipv4(let v4, _):
        if v4.value >> 24 == 127 { plausible += 1 } else if v4.value & 0x00ff_ffff == 0x0000_007f { swapped += 1 }
      case .ipv4Mapped(let v4):
        if v4.value >> 24 == 127 { plausible += 1 }
      case .ipv6(let v6, _):
        if v6.isLoopback || v6.high >> 48 == 0xfe80 {
          plausible += 1
        } else if v6.high == 0 && v6.low == 0x0100_0000 {
          swapped += 1  // ::1 swapped
        } else if v6.high >> 32 == 0x0000_80fe {
          swapped += 1  // fe80:: swapped
        } else if v6.high == 0 && v6.low >> 32 == 0xffff_0000 {
          swapped += 1  // ::ffff:a.b.c.d swapped
        }
      default:
        return
      }
    }
  }

  static func parseTable(
    _ buffer: UnsafeBufferPointer<UInt8>, proto: SocketProtocol, family: IPFamily, little: Bool
  ) -> SocketParse {
    var result = SocketParse(format: format(proto: proto, family: family))
    result.sockets.reserveCapacity(buffer.count / 150)
    forEachLine(buffer) { number, line in
      result.report.linesRead += 1
      var cursor = FieldCursor(line)
      guard let slot = cursor.next() else {
        result.report.linesIgnored += 1
        return
      }
      if line.equals(slot, "sl") {
        result.report.linesIgnored += 1
        return
      }
      guard line[slot.upperBound - 1] == 58, line.decimal(slot.lowerBound..<(slot.upperBound - 1)) != nil else {  // "N:"
        result.report.reject(line: number, reason: "row does not start with a slot number 'N:'", bytes: line)
        return
      }
      guard let localRange = cursor.next(), let local = endpoint(line, localRange, family: family, little: little) else {
        result.report.reject(line: number, reason: "local address is not hex ADDRESS:PORT for \(family.rawValue)", bytes: line)
        return
      }
      guard let peerRange = cursor.next(), let peer = endpoint(line, peerRange, family: family, little: little) else {
        result.report.reject(line: number, reason: "remote address is not hex ADDRESS:PORT for \(family.rawValue)", bytes: line)
        return
      }
      guard let stateRange = cursor.next(), stateRange.count == 2, let code = line.hex(stateRange) else {
        result.report.reject(line: number, reason: "state is not a two-digit hex code", bytes: line)
        return
      }
      guard let queues = cursor.next(), let (tx, rx) = queuePair(line, queues) else {
        result.report.reject(line: number, reason: "tx_queue:rx_queue not understood", bytes: line)
        return
      }
      // tr:tm->when, retrnsmt, then uid, timeout, inode.
      guard cursor.next() != nil, cursor.next() != nil,
        let uidRange = cursor.next(), let uid = line.decimal(uidRange), uid <= UInt64(UInt32.max),
        cursor.next() != nil,
        let inodeRange = cursor.next(), let inode = line.decimal(inodeRange)
      else {
        result.report.reject(line: number, reason: "row ends before uid and inode", bytes: line)
        return
      }
      var state: SocketState?
      if proto == .tcp {
        guard let tcpState = SocketState(procCode: UInt8(truncatingIfNeeded: code)), code <= 0xff else {
          result.report.reject(line: number, reason: "unknown TCP state code \(line.string(stateRange))", bytes: line)
          return
        }
        state = tcpState
      } else {
        // UDP and raw use TCP_ESTABLISHED for connected sockets and TCP_CLOSE for the rest.
        state = code == 0x01 ? .established : (code == 0x07 ? .unconnected : SocketState(procCode: UInt8(truncatingIfNeeded: code)))
      }
      var record = SocketRecord(
        proto: proto, family: family, state: state, local: local, peer: peer,
        receiveQueue: rx, sendQueue: tx, inode: inode, uid: UInt32(uid))
      if proto == .raw {
        // The kernel prints inet_num, which for a raw socket is its IP protocol.
        record.ipProtocol = local.port.flatMap { $0 <= 255 ? UInt8($0) : nil }
        record.local?.port = nil
        record.peer?.port = nil
      }
      result.sockets.append(record)
      result.report.linesUnderstood += 1
    }
    return result
  }

  static func format(proto: SocketProtocol, family: IPFamily) -> CaptureFormat {
    switch (proto, family) {
    case (.tcp, .ipv4): return .procNetTCP
    case (.tcp, .ipv6): return .procNetTCP6
    case (.udp, .ipv4): return .procNetUDP
    case (.udp, .ipv6): return .procNetUDP6
    case (.raw, .ipv4): return .procNetRaw
    case (.raw, .ipv6): return .procNetRaw6
    case (.unix, _): return .procNetUnix
    case (.sctp, _): return .procNetSCTPEndpoints
    case (.mptcp, .ipv4), (.dccp, .ipv4), (.other, .ipv4), (.unknown, .ipv4): return .procNetTCP
    case (.mptcp, .ipv6), (.dccp, .ipv6), (.other, .ipv6), (.unknown, .ipv6): return .procNetTCP6
    }
  }

  @inline(__always)
  static func queuePair(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> (UInt64, UInt64)? {
    guard range.count == 17, line[range.lowerBound + 8] == 58,
      let tx = line.hex(range.lowerBound..<(range.lowerBound + 8)),
      let rx = line.hex((range.lowerBound + 9)..<range.upperBound)
    else { return nil }
    return (tx, rx)
  }

  /// `0100007F:0016` (IPv4) or 32 hex digits `:PORT` (IPv6): each 32-bit word in host order.
  @inline(__always)
  static func endpoint(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, family: IPFamily, little: Bool) -> Endpoint? {
    let addressLength = family == .ipv4 ? 8 : 32
    guard range.count == addressLength + 5, line[range.lowerBound + addressLength] == 58,
      let port = line.hex((range.upperBound - 4)..<range.upperBound)
    else { return nil }
    let start = range.lowerBound
    var words: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    for w in 0..<(addressLength / 8) {
      guard let raw = line.hex((start + 8 * w)..<(start + 8 * w + 8)) else { return nil }
      let word = little ? UInt32(truncatingIfNeeded: raw).byteSwapped : UInt32(truncatingIfNeeded: raw)
      switch w {
      case 0: words.0 = word
      case 1: words.1 = word
      case 2: words.2 = word
      default: words.3 = word
      }
    }
    let address: HostAddress
    if family == .ipv4 {
      address = words.0 == 0 ? .wildcard(.ipv4) : .ipv4(IPv4Address(words.0))
    } else {
      address = .kernelIPv6(IPv6Address(high: UInt64(words.0) << 32 | UInt64(words.1), low: UInt64(words.2) << 32 | UInt64(words.3)))
    }
    let portValue = UInt16(truncatingIfNeeded: port)
    return Endpoint(address: address, port: portValue == 0 && address.isWildcard ? nil : portValue)
  }
}
