/// Parses lsof's column output for sockets: `lsof -i -P -n`, `lsof +c 0 …` and `lsof -U`
/// (lsof 4.9x on Linux). COMMAND names arrive with unprintable bytes escaped
/// (`my\x20"web"`); they are decoded. `-T qs`/`-T fqs`/`-T q` put the queues in the state
/// parenthesis (`(LISTEN QR=0 QS=0)`, `(QR=0 QS=0)`): they become `receiveQueue`/`sendQueue`.
/// A `sock` row with NAME `protocol: TCP` (lsof could not find the socket in its own
/// /proc/net, e.g. one in another network namespace) is a socket with inode, owner and fd
/// and no address (`DataLoss.addressUnknown`). Without `-P`/`-n`, names become numbers.
public enum LsofTextParser {
  /// lsof's default COMMAND width; `+c 0` widens it to the kernel's 15 bytes.
  static let defaultCommandWidth = 9

  public static func parse(_ bytes: [UInt8]) -> SocketParse {
    bytes.withUnsafeBufferPointer { parse($0) }
  }

  public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> SocketParse {
    var result = SocketParse(format: .lsof)
    var byInode: [UInt64: Int] = [:]
    var names = EndpointNames.Outcome()
    forEachLine(buffer) { number, line in
      result.report.linesRead += 1
      if line.isBlank || line.hasPrefix("COMMAND ") {
        result.report.linesIgnored += 1
        return
      }
      if line.hasPrefix("lsof: WARNING") || line.hasPrefix("      Output information may be incomplete") {
        result.report.linesIgnored += 1
        result.report.note("lsof warned that its output may be incomplete")
        return
      }
      switch parseRow(line) {
      case .success(var record):
        names.formUnion(EndpointNames.normalise(&record))
        if record.dataLoss.contains(.addressUnknown) {
          result.report.note("lsof could not decode some sockets (TYPE sock, NAME 'protocol: …'; often a socket in another network namespace): kept without addresses")
        }
        if let inode = record.inode, let index = byInode[inode], result.sockets[index].proto == record.proto {
          for owner in record.processes where !result.sockets[index].processes.contains(owner) {
            result.sockets[index].processes.append(owner)
          }
        } else {
          if let inode = record.inode { byInode[inode] = result.sockets.count }
          result.sockets.append(record)
        }
        result.report.linesUnderstood += 1
      case .failure(let error):
        result.report.reject(line: number, reason: error.text, bytes: line)
      }
    }
    EndpointNames.note(names, into: &result.report)
    return result
  }

  static func parseRow(_ line: UnsafeBufferPointer<UInt8>) -> Result<SocketRecord, SSParser.RowError> {
    let fields = fieldRanges(line, limit: 12)
    guard fields.count >= 7 else { return .failure(.init(text: "too few columns for an lsof row")) }
    guard let pid = line.decimal(fields[1]), pid <= UInt64(Int32.max) else { return .failure(.init(text: "PID is not a number")) }
    guard let typeIndex = (2..<fields.count).first(where: { i in
      line.equals(fields[i], "IPv4") || line.equals(fields[i], "IPv6") || line.equals(fields[i], "unix")
        || line.equals(fields[i], "sock")
    }), typeIndex >= 3 else {
      return .failure(.init(text: "not a socket row (TYPE is not IPv4, IPv6, unix or sock)"))
    }
    let name = LsofName.decodeEscapes(line.string(fields[0]))
    let fd = leadingNumber(line.string(fields[typeIndex - 1]))
    let user = line.string(fields[typeIndex - 2])
    var owner = OwningProcess(name: name, pid: Int32(pid), fd: fd)
    owner.name = name
    var record: SocketRecord
    // DEVICE, SIZE/OFF and NODE follow TYPE; NAME is the rest of the line.
    guard fields.count > typeIndex + 3 else { return .failure(.init(text: "row ends before NODE")) }
    let nodeRange = fields[typeIndex + 3]
    let nameText = NetstatParser.trimmedRest(line, from: nodeRange.upperBound)
    if line.equals(fields[typeIndex], "sock") {
      guard let inode = line.decimal(nodeRange) else { return .failure(.init(text: "sock NODE is not an inode number")) }
      record = LsofName.undecodedRecord(nameText, inode: inode)
    } else if line.equals(fields[typeIndex], "unix") {
      guard let inode = line.decimal(nodeRange) else { return .failure(.init(text: "unix NODE is not an inode number")) }
      record = LsofName.unixRecord(nameText, inode: inode)
    } else {
      let family: IPFamily = line.equals(fields[typeIndex], "IPv4") ? .ipv4 : .ipv6
      let protoText = line.string(nodeRange)
      guard let proto = LsofName.ipProtocol(protoText) else {
        return .failure(.init(text: "unsupported protocol '\(protoText)'"))
      }
      guard let parsed = LsofName.ipRecord(nameText, proto: proto, family: family) else {
        return .failure(.init(text: "NAME '\(nameText)' not understood"))
      }
      record = parsed
      record.inode = line.decimal(fields[typeIndex + 1])
    }
    if let uid = UInt32(user) { record.uid = uid } else { record.user = user }
    record.processes = [owner]
    let width = name.utf8.count
    if width == defaultCommandWidth || width >= SSProcessList.commLimit {
      record.dataLoss.insert(.processNameMayBeTruncated)
    }
    return .success(record)
  }

  static func leadingNumber(_ text: String) -> Int32? {
    Int32(text.prefix(while: { $0.isASCII && $0.isNumber }))
  }
}

/// What lsof's NAME column and `n` field hold, shared by the text and field parsers.
enum LsofName {
  static func ipProtocol(_ text: String) -> SocketProtocol? {
    switch text {
    case "TCP": return .tcp
    case "UDP", "UDPLITE": return .udp
    case "RAW", "raw": return .raw
    case "SCTP": return .sctp
    case "MPTCP": return .mptcp
    case "DCCP": return .dccp
    default: return nil
    }
  }

  /// A socket lsof saw but could not decode: NAME `protocol: TCP` (TCPv6, UDP, UDPv6, RAW,
  /// UNIX, NETLINK, PACKET …, the kernel's `sk_prot->name`). Protocol and family from that
  /// name; no address or state. Unknown names become `.other` with the name as `netid`.
  static func undecodedRecord(_ text: String, inode: UInt64) -> SocketRecord {
    var name = Substring(text)
    if name.hasPrefix("protocol:") { name = name.dropFirst(9).drop(while: { $0 == " " }) }
    var family: IPFamily?
    var base = name
    if name.hasSuffix("v6") {
      family = .ipv6
      base = name.dropLast(2)
    }
    var record: SocketRecord
    switch base {
    case "UNIX":
      record = SocketRecord(proto: .unix, inode: inode, unix: UnixSocketDetails(path: nil, isAbstract: false, type: nil))
    case "UDP-Lite", "UDPLITE":
      record = SocketRecord(proto: .udp, family: family ?? .ipv4, inode: inode)
    case "PING":
      record = SocketRecord(proto: .other, family: family ?? .ipv4, inode: inode, netid: String(name))
    default:
      if let proto = ipProtocol(String(base)) {
        record = SocketRecord(proto: proto, family: family ?? .ipv4, inode: inode)
      } else {
        record = SocketRecord(proto: .other, inode: inode, netid: name.isEmpty ? nil : String(name))
      }
    }
    record.dataLoss.insert(.addressUnknown)
    if record.proto != .unix { record.dataLoss.insert(.stateUnknown) }
    return record
  }

  /// `127.0.0.1:5432`, `*:22`, `[::1]:631`, `10.0.0.1:22->10.0.0.2:5555 (ESTABLISHED)`, and
  /// with `-T qs`: `*:80 (LISTEN QR=0 QS=0)`, `127.0.0.1:53 (QR=0 QS=0)`. A TCP socket with no
  /// state in the output (`-T` without `s`, `-F` without `T`) keeps state nil, flagged.
  static func ipRecord(_ text: String, proto: SocketProtocol, family: IPFamily?, tcpState: String? = nil) -> SocketRecord? {
    var body = Substring(text)
    var stateText = tcpState.map { Substring($0) }
    var receiveQueue: UInt64?
    var sendQueue: UInt64?
    if body.hasSuffix(")"), let open = body.lastIndex(of: "(") {
      let inside = body[body.index(after: open)..<body.index(before: body.endIndex)]
      for word in inside.split(separator: " ") {
        if word.hasPrefix("QR=") {
          receiveQueue = UInt64(word.dropFirst(3))
        } else if word.hasPrefix("QS=") {
          sendQueue = UInt64(word.dropFirst(3))
        } else if word.contains("=") {
          continue  // -T f (SO=, SS=, TF=) and other KEY=value details
        } else if stateText == nil {
          stateText = word
        }
      }
      body = body[..<open].droppingTrailingSpaces()
    }
    var localText = body
    var peerText: Substring?
    if let arrow = body.firstRange(of: "->") {
      localText = body[..<arrow.lowerBound]
      peerText = body[arrow.upperBound...]
    }
    guard var local = EndpointText.parse(localText) else { return nil }
    // lsof prints `*` for both 0.0.0.0 and ::; the TYPE column says which.
    if case .wildcard(nil) = local.address, let family { local.address = .wildcard(family) }
    var peer: Endpoint?
    if let peerText {
      guard let parsed = EndpointText.parse(peerText) else { return nil }
      peer = parsed
    }
    var state: SocketState?
    var stateUnknown = false
    if let stateText {
      guard let known = SocketState(toolSpelling: stateText) else { return nil }
      state = known
    } else if proto == .udp || proto == .raw {
      state = peer == nil ? .unconnected : .established
    } else {
      stateUnknown = true
    }
    let resolvedFamily = family ?? local.address.family ?? peer?.address.family
    let defaultPeer = proto == .udp || proto == .raw ? Endpoint(address: .wildcard(resolvedFamily), port: nil) : nil
    var record = SocketRecord(
      proto: proto, family: resolvedFamily, state: state, local: local, peer: peer ?? defaultPeer,
      receiveQueue: receiveQueue, sendQueue: sendQueue)
    if stateUnknown { record.dataLoss.insert(.stateUnknown) }
    return record
  }

  /// `/run/x.sock type=STREAM (LISTEN)`, `@name type=DGRAM`, `type=STREAM (CONNECTED)`.
  static func unixRecord(_ text: String, inode: UInt64) -> SocketRecord {
    var body = Substring(text)
    var state: SocketState?
    if body.hasSuffix(")"), let open = body.lastIndex(of: "(") {
      state = SocketState(toolSpelling: body[body.index(after: open)..<body.index(before: body.endIndex)])
      body = body[..<open].droppingTrailingSpaces()
    }
    var type: UnixSocketType?
    if let typeRange = body.ranges(of: "type=").last {
      switch body[typeRange.upperBound...] {
      case "STREAM": type = .stream
      case "DGRAM": type = .datagram
      case "SEQPACKET": type = .seqpacket
      default: type = nil
      }
      body = body[..<typeRange.lowerBound].droppingTrailingSpaces()
    }
    var details = UnixSocketDetails(path: nil, isAbstract: false, type: type)
    if !body.isEmpty {
      if body.hasPrefix("@") {
        details.isAbstract = true
        details.path = String(body.dropFirst())
      } else {
        details.path = String(body)
      }
    }
    if state == nil {
      state = type == .datagram ? .unconnected : nil
    }
    return SocketRecord(proto: .unix, state: state, inode: inode, unix: details)
  }

  /// Undoes lsof's escapes of unprintable bytes: `\xNN`, `\n`, `\t`, `\\`, and the caret
  /// form `^[` (ESC) it uses for control characters. A literal `^` followed by one of
  /// `@A-Z[\]^_?` cannot be told apart from that form; lsof leaves that ambiguity to us.
  static func decodeEscapes(_ text: String) -> String {
    guard text.contains("\\") || text.contains("^") else { return text }
    var bytes: [UInt8] = []
    let source = Array(text.utf8)
    var i = 0
    while i < source.count {
      if source[i] == 94, i + 1 < source.count, (64...95).contains(source[i + 1]) || source[i + 1] == 63 {
        bytes.append(source[i + 1] == 63 ? 127 : source[i + 1] - 64)
        i += 2
        continue
      }
      if source[i] == 92, i + 1 < source.count {
        let next = source[i + 1]
        if next == 120, i + 3 < source.count, let h = hexDigit(source[i + 2]), let l = hexDigit(source[i + 3]) {
          bytes.append(h << 4 | l)
          i += 4
          continue
        }
        switch next {
        case 110: bytes.append(10)
        case 116: bytes.append(9)
        case 114: bytes.append(13)
        case 98: bytes.append(8)
        case 102: bytes.append(12)
        case 92: bytes.append(92)
        default:
          bytes.append(92)
          i += 1
          continue
        }
        i += 2
        continue
      }
      bytes.append(source[i])
      i += 1
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

extension Substring {
  func droppingTrailingSpaces() -> Substring {
    var result = self
    while result.last == " " { result = result.dropLast() }
    return result
  }
}
