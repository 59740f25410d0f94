/// Parses iproute2 `ss` socket tables: `-tuanp`, `-tlnp`, `-ulnp`, `-xlp`, `-xa`, `-e`, `-H`,
/// `-a -A all`, `-w`, `-M`, with or without the Netid and State columns, old and new iproute2
/// layouts (3.10 … 6.1), with or without `-n`.
///
/// Every netid ss prints is kept: `tcp`, `udp`, `raw` (also `icmp6` and `???`, iproute2's
/// `proto_name()` for raw sockets of another IP protocol), `sctp`, `mptcp`, `dccp` as their
/// `SocketProtocol` cases; `p_raw`, `p_dgr`, `nl`, `v_str`, `v_dgr`, `tipc`, `xdp` as `.other`
/// with `SocketRecord.netid` and their address columns kept as text. A raw socket's number
/// after the colon is its IP protocol (`SocketRecord.ipProtocol`), not a port. With `-e`,
/// a row without `uid:` belongs to uid 0 (ss prints `uid:` only when not 0) and `cgroup:` is
/// kept in `SocketRecord.cgroup`. Names printed without `-n` become numbers (`EndpointNames`).
public enum SSParser {
  /// Which optional leading columns a table has.
  struct Layout: Equatable {
    var hasNetid: Bool
    var hasState: Bool
  }

  public static func parse(_ bytes: [UInt8], options: ParseOptions = ParseOptions()) -> SocketParse {
    bytes.withUnsafeBufferPointer { parse($0, options: options) }
  }

  public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, options: ParseOptions = ParseOptions()) -> SocketParse {
    var result = SocketParse(format: .ss)
    var layout: Layout?
    var assumedNoted = false
    var names = EndpointNames.Outcome()
    // A row is about 100 bytes or more: room for every socket up front instead of copying the
    // records each time the array doubles.
    result.sockets.reserveCapacity(buffer.count / 100)
    forEachLine(buffer) { number, line in
      result.report.linesRead += 1
      if line.isBlank {
        result.report.linesIgnored += 1
        return
      }
      let fields = LineFields(line, limit: 6)
      if let header = headerLayout(line, fields) {
        layout = header
        result.report.linesIgnored += 1
        return
      }
      let rowLayout = layout ?? inferLayout(line, fields)
      guard let rowLayout else {
        result.report.reject(line: number, reason: "not an ss row: no Netid, State or queue columns", bytes: line)
        return
      }
      if !rowLayout.hasNetid && !assumedNoted {
        assumedNoted = true
        result.report.note("no Netid column: protocol taken from --as/options or from each row's state")
      }
      switch parseRow(line, fields, rowLayout, options) {
      case .success(var row):
        names.formUnion(EndpointNames.normalise(&row.record))
        // The record's last use is the append, so it moves into the array (read after it,
        // the row was copied and released: a retain and release of every string per row).
        let ownerProblem = row.ownerProblem
        result.sockets.append(row.record)
        if let problem = ownerProblem {
          result.report.reject(line: number, reason: problem, bytes: line)
        } else {
          result.report.linesUnderstood += 1
        }
      case .failure(let reason):
        result.report.reject(line: number, reason: reason.text, bytes: line)
      }
    }
    EndpointNames.note(names, into: &result.report)
    return result
  }

  struct RowError: Error { var text: String }
  struct Row {
    var record: SocketRecord
    /// Set when the socket was read but its owner column was not: the socket is kept, the line counted.
    var ownerProblem: String?
  }

  static let netids: Set<String> = [
    "tcp", "udp", "raw", "u_str", "u_dgr", "u_seq", "p_raw", "p_dgr", "nl", "sctp", "mptcp",
    "tipc", "v_str", "v_dgr", "xdp", "icmp6", "dccp", "u_seqpacket", "???", "unknown",
  ]

  static func headerLayout(_ line: UnsafeBufferPointer<UInt8>, _ fields: LineFields) -> Layout? {
    guard let first = fields.first else { return nil }
    if line.equals(first, "Netid") {
      let hasState = fields.count > 1 && line.equals(fields[1], "State")
      return Layout(hasNetid: true, hasState: hasState)
    }
    if line.equals(first, "State") && fields.count > 1 && line.equals(fields[1], "Recv-Q") {
      return Layout(hasNetid: false, hasState: true)
    }
    if line.equals(first, "Recv-Q") && fields.count > 1 && line.equals(fields[1], "Send-Q") {
      return Layout(hasNetid: false, hasState: false)
    }
    return nil
  }

  /// For `-H` output: read the layout from the row itself.
  static func inferLayout(_ line: UnsafeBufferPointer<UInt8>, _ fields: LineFields) -> Layout? {
    guard fields.count >= 4 else { return nil }
    if netids.contains(line.string(fields[0])) {
      let hasState = Self.state(line, fields[1]) != nil
      return Layout(hasNetid: true, hasState: hasState)
    }
    if Self.state(line, fields[0]) != nil { return Layout(hasNetid: false, hasState: true) }
    if line.decimal(fields[0]) != nil && line.decimal(fields[1]) != nil {
      return Layout(hasNetid: false, hasState: false)
    }
    return nil
  }

  static func parseRow(
    _ line: UnsafeBufferPointer<UInt8>, _ fields: LineFields, _ layout: Layout, _ options: ParseOptions
  ) -> Result<Row, RowError> {
    var index = 0
    var proto: SocketProtocol?
    var unixType: UnixSocketType?
    var netidText: String?
    if layout.hasNetid {
      guard fields.count > index else { return .failure(RowError(text: "missing Netid")) }
      let netid = fields[index]
      index += 1
      if line.equals(netid, "tcp") {
        proto = .tcp
      } else if line.equals(netid, "udp") {
        proto = .udp
      } else if line.equals(netid, "u_str") {
        (proto, unixType) = (.unix, .stream)
      } else if line.equals(netid, "u_dgr") {
        (proto, unixType) = (.unix, .datagram)
      } else if line.equals(netid, "u_seq") || line.equals(netid, "u_seqpacket") {
        (proto, unixType) = (.unix, .seqpacket)
      } else {
        let text = line.string(netid)
        let known = SocketProtocol.fromNetid(text)
        proto = known.proto
        if known.keepNetid { netidText = text }
      }
    }
    var state: SocketState?
    if layout.hasState {
      guard fields.count > index else { return .failure(RowError(text: "missing State")) }
      guard let parsed = Self.state(line, fields[index]) else {
        return .failure(RowError(text: "unknown state '\(line.string(fields[index]))'"))
      }
      state = parsed
      index += 1
    }
    guard fields.count >= index + 2,
      let recvQ = line.decimal(fields[index]), let sendQ = line.decimal(fields[index + 1])
    else { return .failure(RowError(text: "Recv-Q and Send-Q are not numbers")) }
    index += 2
    if proto == nil {
      proto = options.assumedProtocol ?? protocolFromState(state)
    }
    guard let proto else { return .failure(RowError(text: "cannot tell the protocol")) }
    if proto == .other {
      return parseOtherRest(line, fields, from: index, netid: netidText, state: state, recvQ: recvQ, sendQ: sendQ)
    }
    if proto == .unix {
      return parseUnixRest(line, from: fields[index - 1].upperBound, proto: proto, type: unixType, state: state, recvQ: recvQ, sendQ: sendQ)
    }
    guard fields.count >= index + 2 else { return .failure(RowError(text: "missing local or peer address")) }
    guard let local = EndpointText.parse(bytes: line.slice(fields[index])) else {
      return .failure(RowError(text: "local address '\(line.string(fields[index]))' not understood"))
    }
    guard let peer = EndpointText.parse(bytes: line.slice(fields[index + 1])) else {
      return .failure(RowError(text: "peer address '\(line.string(fields[index + 1]))' not understood"))
    }
    var record = SocketRecord(
      proto: proto, family: local.address.family ?? peer.address.family,
      state: normalised(state, proto: proto), local: local, peer: peer,
      receiveQueue: recvQ, sendQueue: sendQ, netid: netidText)
    // Current iproute2 prints an IPV6_V6ONLY wildcard as `[::]` and a dual-stack one as `*`;
    // old versions print every IPv6 wildcard as `:::port` and `*` for IPv4: those say nothing.
    if local.address == .wildcard(.ipv6), line[fields[index].lowerBound] == 91 {
      record.ipv6Only = true
    } else if local.address == .wildcard(nil), proto.hasPorts {
      record.ipv6Only = false
    }
    let tail = readTail(line, from: fields[index + 1].upperBound, into: &record, impliesUIDZero: true)
    return .success(Row(record: record, ownerProblem: tail))
  }

  /// Rows of kinds with no IP or Unix columns (`nl`, `p_raw`, `p_dgr`, `v_str`, `v_dgr`,
  /// `tipc`, `xdp`): local and peer are kept as the text ss printed (`rtnl:kernel`,
  /// `[2048]:eth0`, `0:24`), the owner list and `-e` fields read as for any row.
  static func parseOtherRest(
    _ line: UnsafeBufferPointer<UInt8>, _ fields: LineFields, from index: Int, netid: String?,
    state: SocketState?, recvQ: UInt64, sendQ: UInt64
  ) -> Result<Row, RowError> {
    guard fields.count > index else { return .failure(RowError(text: "missing local address")) }
    var cursor = FieldCursor(line)
    cursor.position = fields[index].upperBound
    let local = Endpoint(address: .text(line.string(fields[index])), port: nil)
    var peer: Endpoint?
    var tailStart = fields[index].upperBound
    if let next = cursor.next(), !line.slice(next).hasPrefix("users:(") {
      peer = Endpoint(address: line.equals(next, "*") ? .wildcard(nil) : .text(line.string(next)), port: nil)
      tailStart = next.upperBound
    }
    var record = SocketRecord(
      proto: .other, state: state, local: local, peer: peer, receiveQueue: recvQ, sendQueue: sendQ, netid: netid)
    let tail = readTail(line, from: tailStart, into: &record, impliesUIDZero: false)
    return .success(Row(record: record, ownerProblem: tail))
  }

  /// `SocketState(toolSpelling:)` read straight from the bytes of `range`, without a String
  /// per row: the spellings are ASCII, so equal bytes are equal text. ss's own first.
  @inline(__always)
  static func state(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> SocketState? {
    for (spelling, state) in stateSpellings where line.equals(range, spelling) { return state }
    return nil
  }

  /// Every spelling `SocketState(toolSpelling:)` reads, ss's common ones first
  /// (`SSParserTests` checks the two agree on each of them and on near misses).
  static let stateSpellings: [(StaticString, SocketState)] = [
    ("ESTAB", .established), ("LISTEN", .listen), ("UNCONN", .unconnected), ("TIME-WAIT", .timeWait),
    ("CLOSE-WAIT", .closeWait), ("SYN-SENT", .synSent), ("SYN-RECV", .synReceived), ("FIN-WAIT-1", .finWait1),
    ("FIN-WAIT-2", .finWait2), ("LAST-ACK", .lastAck), ("CLOSING", .closing), ("NEW-SYN-RECV", .newSynReceived),
    ("CLOSE", .close), ("ESTABLISHED", .established), ("SYN_SENT", .synSent), ("SYN_RECV", .synReceived),
    ("SYN-RECEIVED", .synReceived), ("SYN_RECEIVED", .synReceived), ("FIN_WAIT1", .finWait1), ("FIN_WAIT_1", .finWait1),
    ("FIN_WAIT2", .finWait2), ("FIN_WAIT_2", .finWait2), ("TIME_WAIT", .timeWait), ("CLOSED", .close),
    ("CLOSE_WAIT", .closeWait), ("LAST_ACK", .lastAck), ("LISTENING", .listen), ("NEW_SYN_RECV", .newSynReceived),
    ("UNCONNECTED", .unconnected), ("IDLE", .unconnected), ("CONNECTING", .connecting), ("CONNECTED", .established),
    ("DISCONNECTING", .disconnecting),
  ]

  /// ss calls an unconnected UDP socket UNCONN; the kernel calls it CLOSE. Keep ss's meaning.
  static func normalised(_ state: SocketState?, proto: SocketProtocol) -> SocketState? {
    if !proto.isConnectionOriented && state == .close { return .unconnected }
    return state
  }

  static func protocolFromState(_ state: SocketState?) -> SocketProtocol? {
    switch state {
    case .listen, .synSent, .synReceived, .finWait1, .finWait2, .timeWait, .closeWait, .lastAck, .closing, .newSynReceived:
      return .tcp
    case .unconnected:
      return .udp
    default:
      return .tcp
    }
  }

  /// Reads what follows the peer column: `users:(...)`, `uid:N`, `ino:N`, `sk:…`, `cgroup:…`, timers.
  /// Returns a problem text when an owner list was present but not understood.
  /// With `impliesUIDZero`, an `ino:` without `uid:` (ss `-e`) sets uid 0: ss's
  /// `sock_details_print()` prints ` uid:%u` only when the uid is not 0.
  ///
  /// ss prints the owners first, then `uid:`, `ino:`, `sk:`, and the cgroup path last but for
  /// `v6only:` and the shutdown marker. The path is printed raw, and cgroup v2 names may hold
  /// spaces (a user names the cgroups systemd delegates to them): so only the first owner list,
  /// the first `uid:` and `ino:`, and nothing after `cgroup:` is read — a path such as
  /// `x uid:0 ino:<another socket's> users:(("sshd",…))` then says nothing.
  static func readTail(
    _ line: UnsafeBufferPointer<UInt8>, from start: Int, into record: inout SocketRecord, impliesUIDZero: Bool = false
  ) -> String? {
    var i = start
    var problem: String?
    var sawInode = false
    var sawUID = false
    var sawDetails = false
    var sawCgroup = false
    defer {
      if impliesUIDZero && sawInode && !sawUID && record.uid == nil { record.uid = 0 }
    }
    let n = line.count
    while i < n {
      while i < n && isSpace(line[i]) { i += 1 }
      if i >= n { break }
      if !sawDetails, line.count - i >= 7, line.slice(i..<(i + 7)).hasPrefix("users:(") {
        if let list = SSProcessList.parse(line, at: i) {
          // The list's own array when it is the first (no second allocation and copy per row).
          if record.processes.isEmpty {
            record.processes = list.processes
          } else {
            record.processes.append(contentsOf: list.processes)
          }
          if !list.dataLoss.isEmpty { record.dataLoss.formUnion(list.dataLoss) }
          i = list.end
          continue
        }
        problem = "owner list not understood; socket kept without owners"
        break
      }
      let tokenStart = i
      var depth = 0
      while i < n && (depth > 0 || !isSpace(line[i])) {
        if line[i] == 40 { depth += 1 } else if line[i] == 41 && depth > 0 { depth -= 1 }
        i += 1
      }
      let token = line.slice(tokenStart..<i)
      if sawCgroup { continue }
      if token.hasPrefix("uid:") || token.hasPrefix("ino:") || token.hasPrefix("sk:") { sawDetails = true }
      if !sawUID, token.hasPrefix("uid:"), let uid = token.decimal(4..<token.count), uid <= UInt64(UInt32.max) {
        record.uid = UInt32(uid)
        sawUID = true
      } else if !sawInode, token.hasPrefix("ino:"), let inode = token.decimal(4..<token.count) {
        record.inode = inode
        sawInode = true
      } else if token.hasPrefix("cgroup:") {
        sawDetails = true
        sawCgroup = true
        if token.count > 7 { record.cgroup = token.string(7..<token.count) }
      }
    }
    return problem
  }

  /// Unix rows: `path inode peer-path peer-inode`, where a path may contain spaces.
  static func parseUnixRest(
    _ line: UnsafeBufferPointer<UInt8>, from start: Int, proto: SocketProtocol, type: UnixSocketType?,
    state: SocketState?, recvQ: UInt64, sendQ: UInt64
  ) -> Result<Row, RowError> {
    let ownersAt = line.firstIndex(of: " users:((", from: start)
    let columnsEnd = ownersAt ?? line.count
    var tokens = fieldRanges(line.slice(start..<columnsEnd)).map { ($0.lowerBound + start)..<($0.upperBound + start) }
    // Drop -e extras that follow the peer inode: from the first `<->`, `ino:`, `dev:`, `peers:` …
    // (`peers:` lists the inodes of connections waiting on a listener: bare numbers).
    if let firstExtra = tokens.indices.dropFirst(3).first(where: { isExtendedField(line.slice(tokens[$0])) }) {
      tokens.removeSubrange(firstExtra...)
    }
    while let last = tokens.last, isExtendedField(line.slice(last)) { tokens.removeLast() }
    guard tokens.count >= 4 else { return .failure(RowError(text: "unix row needs path, inode, peer and peer inode")) }
    let peerInodeRange = tokens[tokens.count - 1]
    let peerRange = tokens[tokens.count - 2]
    let inodeRange = tokens[tokens.count - 3]
    guard let inode = line.decimal(inodeRange) else {
      return .failure(RowError(text: "unix socket inode '\(line.string(inodeRange))' is not a number"))
    }
    let peerInode = line.decimal(peerInodeRange)
    let pathRange = tokens[0].lowerBound..<tokens[tokens.count - 4].upperBound
    let pathText = line.string(pathRange)
    var details = UnixSocketDetails(path: nil, isAbstract: false, type: type)
    if pathText != "*" {
      if pathText.hasPrefix("@") {
        details.isAbstract = true
        details.path = String(pathText.dropFirst())
      } else {
        details.path = pathText
      }
    }
    if let peerInode, peerInode != 0 { details.peerInode = peerInode }
    _ = peerRange
    var record = SocketRecord(
      proto: proto, state: state, receiveQueue: recvQ, sendQueue: sendQ, inode: inode, unix: details)
    let problem = readTail(line, from: ownersAt ?? line.count, into: &record)
    record.inode = inode
    return .success(Row(record: record, ownerProblem: problem))
  }

  static func isExtendedField(_ token: UnsafeBufferPointer<UInt8>) -> Bool {
    if token.count == 3 && (token.hasPrefix("<->") || token.hasPrefix("-->") || token.hasPrefix("<--") || token.hasPrefix("---")) {
      return true
    }
    // A Unix socket's -e extras (iproute2 5.x and later): its file's `ino:` and `dev:`, `peers:`.
    for prefix in ["ino:", "uid:", "sk:", "cgroup:", "fwmark:", "v6only:", "dev:", "peers:"] where String(decoding: token, as: UTF8.self).hasPrefix(prefix) {
      return true
    }
    return false
  }
}
