/// Parses `netstat` socket tables from net-tools (`-tulpen`, `-tuanp`, `-W`, `-x`), busybox and
/// toybox. Columns are found from the header; an empty State (UDP) and raw sockets' numeric
/// state are handled; the non-root notices are recognised and reported, not mistaken for rows.
/// With `-o`/`--timers` (net-tools 2.10 `finish_this_one()`: `" %s"` of the timer after the
/// program column) the header ends in `Timer` and each row in `off (0.00/0/0)`,
/// `keepalive (7190.00/0/0)` …: that text is cut from the end of the row, never taken into
/// the program name. Without `-n`, service and host names become numbers (`EndpointNames`).
public enum NetstatParser {
  /// Which optional columns the current table has, read from its header.
  struct Columns {
    var hasUser = false
    var hasInode = false
    var hasProgram = false
    /// `-o`/`--timers`: a Timer column follows the program (or the inode).
    var hasTimer = false
  }

  enum Section {
    case inet
    case unix
  }

  /// net-tools cuts `address:port` to 23 characters without `-W`.
  static let narrowAddressWidth = 23
  /// net-tools and busybox print `PID/Program name` into a 20-byte buffer.
  static let programWidth = 19

  public static func parse(_ bytes: [UInt8], options: ParseOptions = ParseOptions()) -> SocketParse {
    bytes.withUnsafeBufferPointer { parse($0, options: options) }
  }

  public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, options: ParseOptions = ParseOptions()) -> SocketParse {
    var result = SocketParse(format: .netstat)
    var columns = Columns(hasUser: false, hasInode: false, hasProgram: false)
    var section = Section.inet
    var names = EndpointNames.Outcome()
    forEachLine(buffer) { number, line in
      result.report.linesRead += 1
      if line.isBlank {
        result.report.linesIgnored += 1
        return
      }
      if line.hasPrefix("Active Internet connections") || line.hasPrefix("Active IPX") || line.hasPrefix("Active Bluetooth") {
        section = .inet
        result.report.linesIgnored += 1
        return
      }
      if line.hasPrefix("Active UNIX domain sockets") {
        section = .unix
        result.report.linesIgnored += 1
        return
      }
      if line.hasPrefix("Proto ") {
        let header = String(decoding: line, as: UTF8.self)
        columns = Columns(
          hasUser: header.contains(" User "), hasInode: header.contains(" Inode") && !header.contains("I-Node") || header.contains("I-Node"),
          hasProgram: header.contains("PID/Program"), hasTimer: header.hasSuffix("Timer") || header.contains(" Timer "))
        if header.contains("RefCnt") { section = .unix }
        result.report.linesIgnored += 1
        return
      }
      if isNonRootNotice(line) {
        result.report.linesIgnored += 1
        result.report.note("netstat could not read other users' processes (not root): attribution is partial")
        result.report.ownersOfOtherUsersHidden = true
        return
      }
      let outcome: Result<SocketRecord, SSParser.RowError>
      switch section {
      case .inet: outcome = parseInetRow(line, columns)
      case .unix: outcome = parseUnixRow(line, columns)
      }
      switch outcome {
      case .success(var record):
        names.formUnion(EndpointNames.normalise(&record))
        result.sockets.append(record)
        result.report.linesUnderstood += 1
      case .failure(let error):
        result.report.reject(line: number, reason: error.text, bytes: line)
      }
    }
    EndpointNames.note(names, into: &result.report)
    return result
  }

  static func isNonRootNotice(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
    line.hasPrefix("(Not all processes could be identified") || line.hasPrefix(" will not be shown, you would have to be root")
      || line.hasPrefix("(No info could be read for") || line.hasPrefix("netstat: showing only processes with your user ID")
  }

  static func parseInetRow(_ line: UnsafeBufferPointer<UInt8>, _ columns: Columns) -> Result<SocketRecord, SSParser.RowError> {
    var cursor = FieldCursor(line)
    guard let protoRange = cursor.next() else { return .failure(.init(text: "empty row")) }
    let protoText = line.string(protoRange)
    let proto: SocketProtocol
    var family: IPFamily?
    switch protoText {
    case "tcp": (proto, family) = (.tcp, .ipv4)
    case "tcp6": (proto, family) = (.tcp, .ipv6)
    case "udp", "udpl": (proto, family) = (.udp, .ipv4)
    case "udp6", "udpl6": (proto, family) = (.udp, .ipv6)
    case "raw": (proto, family) = (.raw, .ipv4)
    case "raw6": (proto, family) = (.raw, .ipv6)
    default: return .failure(.init(text: "unsupported protocol '\(protoText)'"))
    }
    guard let rq = cursor.next(), let recvQ = line.decimal(rq), let sq = cursor.next(), let sendQ = line.decimal(sq) else {
      return .failure(.init(text: "Recv-Q and Send-Q are not numbers"))
    }
    guard let localRange = cursor.next(), let local = EndpointText.parse(bytes: line.slice(localRange)) else {
      return .failure(.init(text: "local address not understood"))
    }
    guard let peerRange = cursor.next(), let peer = EndpointText.parse(bytes: line.slice(peerRange)) else {
      return .failure(.init(text: "foreign address not understood"))
    }
    var record = SocketRecord(proto: proto, family: family, local: local, peer: peer, receiveQueue: recvQ, sendQueue: sendQ)
    if family == .ipv6 && (localRange.count == narrowAddressWidth || peerRange.count == narrowAddressWidth) {
      record.dataLoss.insert(.addressMayBeTruncated)
    }
    // net-tools prints an IPv6 socket's v4-mapped addresses as plain IPv4 (`tcp6 … 127.0.0.1:7020`).
    if family == .ipv6 {
      record.local = mappedIfIPv4(local)
      record.peer = mappedIfIPv4(peer)
    }
    var next = cursor.next()
    if let range = next, let state = SocketState(toolSpelling: line.substring(range)) {
      record.state = proto == .tcp ? state : (state == .close ? .unconnected : state)
      next = cursor.next()
    } else if proto == .raw, let range = next, let code = line.decimal(range), code <= 0xff {
      // net-tools prints raw sockets' state as the kernel's number (7 = TCP_CLOSE).
      record.state = code == 1 ? .established : .unconnected
      next = cursor.next()
    } else if proto != .tcp {
      record.state = .unconnected
    } else {
      return .failure(.init(text: "TCP row without a known state"))
    }
    if columns.hasUser {
      guard let range = next else { return .failure(.init(text: "row ends before User")) }
      if let uid = line.decimal(range), uid <= UInt64(UInt32.max) {
        record.uid = UInt32(uid)
      } else {
        record.user = line.string(range)
      }
      next = cursor.next()
    }
    if columns.hasInode {
      guard let range = next, let inode = line.decimal(range) else { return .failure(.init(text: "Inode is not a number")) }
      record.inode = inode
      next = cursor.next()
    }
    if columns.hasProgram, let range = next {
      var text = trimmedRest(line, from: range.lowerBound)
      if columns.hasTimer { text = withoutTimer(text) }
      if let owner = program(text) {
        record.processes = [owner]
        if text.utf8.count >= programWidth { record.dataLoss.insert(.processNameMayBeTruncated) }
      }
    }
    return .success(record)
  }

  /// `unix  2      [ ACC ]     STREAM     LISTENING     12345    1/systemd            /run/systemd/private`
  static func parseUnixRow(_ line: UnsafeBufferPointer<UInt8>, _ columns: Columns) -> Result<SocketRecord, SSParser.RowError> {
    var cursor = FieldCursor(line)
    guard let protoRange = cursor.next(), line.equals(protoRange, "unix") else {
      return .failure(.init(text: "expected a 'unix' row"))
    }
    guard let refRange = cursor.next(), line.decimal(refRange) != nil else { return .failure(.init(text: "RefCnt is not a number")) }
    guard let open = cursor.next(), line[open.lowerBound] == 91 else { return .failure(.init(text: "Flags '[ … ]' missing")) }
    var flagsText = line.string(open)
    var closed = line[open.upperBound - 1] == 93
    var guardCount = 0
    while !closed, guardCount < 8, let range = cursor.next() {
      guardCount += 1
      flagsText += " " + line.string(range)
      closed = line[range.upperBound - 1] == 93
    }
    guard closed else { return .failure(.init(text: "Flags '[ … ]' not closed")) }
    guard let typeRange = cursor.next() else { return .failure(.init(text: "Type missing")) }
    let type: UnixSocketType?
    switch line.string(typeRange) {
    case "STREAM": type = .stream
    case "DGRAM": type = .datagram
    case "SEQPACKET": type = .seqpacket
    case "RAW", "RDM", "UNKNOWN": type = nil
    default: return .failure(.init(text: "unknown unix socket type '\(line.string(typeRange))'"))
    }
    var next = cursor.next()
    var state: SocketState?
    if let range = next, line.decimal(range) == nil {
      let word = line.substring(range)
      if word == "FREE" {
        state = nil
      } else if let known = SocketState(toolSpelling: word) {
        state = known
      } else {
        return .failure(.init(text: "unknown unix state '\(word)'"))
      }
      next = cursor.next()
    } else {
      state = .unconnected
    }
    if flagsText.contains("ACC") { state = .listen }
    guard let inodeRange = next, let inode = line.decimal(inodeRange) else { return .failure(.init(text: "I-Node is not a number")) }
    var record = SocketRecord(proto: .unix, state: state, inode: inode, unix: UnixSocketDetails(path: nil, isAbstract: false, type: type))
    var pathStart = inodeRange.upperBound
    if columns.hasProgram, let range = cursor.next() {
      let text = line.string(range)
      if let owner = program(text) { record.processes = [owner] }
      pathStart = range.upperBound
    }
    let path = trimmedRest(line, from: pathStart)
    if !path.isEmpty {
      if path.hasPrefix("@") {
        record.unix?.isAbstract = true
        record.unix?.path = String(path.dropFirst())
      } else {
        record.unix?.path = path
      }
    }
    return .success(record)
  }

  /// Cuts net-tools' timer text (`off (0.00/0/0)`, `keepalive (7183.91/0/0)`, `on (0.20/3/0)`,
  /// `timewait (59.74/0/0)`, `unkn-5 (…)`) from the end of a row's rest, and the blanks before it.
  static func withoutTimer(_ text: String) -> String {
    guard text.hasSuffix(")"), let open = text.lastIndex(of: "(") else { return text }
    let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
    guard inside.split(separator: "/", omittingEmptySubsequences: false).count == 3,
      inside.allSatisfy({ $0.isNumber || $0 == "." || $0 == "/" || $0 == "-" })
    else { return text }
    var head = text[..<open].droppingTrailingSpaces()
    guard let space = head.lastIndex(of: " ") else { return "" }
    let word = head[head.index(after: space)...]
    guard ["off", "on", "keepalive", "timewait"].contains(word) || word.hasPrefix("unkn-") else { return text }
    head = head[..<space].droppingTrailingSpaces()
    return String(head)
  }

  static func mappedIfIPv4(_ endpoint: Endpoint) -> Endpoint {
    guard case .ipv4(let address, nil) = endpoint.address else { return endpoint }
    var mapped = endpoint
    mapped.address = .ipv4Mapped(address)
    return mapped
  }

  /// `1234/sshd: /usr/sbi` → pid 1234, name `sshd: /usr/sbi`; `-` → nil.
  static func program(_ text: String) -> OwningProcess? {
    guard let slash = text.firstIndex(of: "/"), let pid = Int32(text[..<slash]) else { return nil }
    return OwningProcess(name: String(text[text.index(after: slash)...]), pid: pid, fd: nil)
  }

  static func trimmedRest(_ line: UnsafeBufferPointer<UInt8>, from start: Int) -> String {
    var lower = start
    var upper = line.count
    while lower < upper && isSpace(line[lower]) { lower += 1 }
    while upper > lower && isSpace(line[upper - 1]) { upper -= 1 }
    return line.string(lower..<upper)
  }
}
