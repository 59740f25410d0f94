/// The ephemeral (local) port range a host hands out to sockets bound to port 0,
/// `/proc/sys/net/ipv4/ip_local_port_range` (Linux default 32768–60999).
public struct PortRange: Hashable, Sendable, Codable {
  public var first: UInt16
  public var last: UInt16

  public init(first: UInt16, last: UInt16) {
    self.first = first
    self.last = last
  }

  public func contains(_ port: UInt16) -> Bool { port >= first && port <= last }
}

/// What the probe's `proc-ids` section says: each process's identity and the host's
/// ephemeral port range.
public struct ProcessIdentityTable: Hashable, Sendable {
  public var processes: [ProcessIdentity]
  public var ephemeralPorts: PortRange?
  public var report: ParseReport
}

/// Parses the `proc-ids` section written by the probe's `fp_who` (format in
/// `ProbeScript.identityFunctions`: awk's `key value` lines over /proc/<pid>/{stat,status,
/// cgroup,cmdline}, then GNU coreutils `stat -c 'link %N'` with QUOTING_STYLE=escape, or
/// busybox stat's `'path' -> 'target'`). Values carry `\ooo` escapes (awk) or C escapes (GNU
/// stat), decoded here. Unknown keys (a newer probe's) are ignored; a malformed value is a
/// rejected line, never a crash; a process lacking a line keeps that field nil.
public enum ProcessIdentityParser {
  public static func parse(_ bytes: [UInt8]) -> ProcessIdentityTable {
    var report = ParseReport()
    var order: [Int32] = []
    var byPID: [Int32: ProcessIdentity] = [:]
    var current: Int32?
    var pendingStart: [Int32: UInt64] = [:]
    var users: [UInt32: String] = [:]
    var bootTime: Int64?
    var hertz: Int64?
    var ephemeral: PortRange?

    for (index, line) in bytes.split(separator: 10, omittingEmptySubsequences: false).enumerated() {
      let number = index + 1
      if line.isEmpty { continue }
      report.linesRead += 1
      let space = line.firstIndex(of: 32) ?? line.endIndex
      let key = String(decoding: line[line.startIndex..<space], as: UTF8.self)
      let rest = space < line.endIndex ? line[(space + 1)...] : line[line.endIndex...]
      let value = String(decoding: rest, as: UTF8.self)
      func reject(_ reason: String) {
        Array(line).withUnsafeBufferPointer { report.reject(line: number, reason: reason, bytes: $0) }
      }
      func update(_ body: (inout ProcessIdentity) -> Void) {
        guard let pid = current, var identity = byPID[pid] else { return reject("'\(key)' before any 'pid' line") }
        body(&identity)
        byPID[pid] = identity
        report.linesUnderstood += 1
      }
      switch key {
      case "btime":
        guard let seconds = Int64(value) else {
          reject("expected 'btime SECONDS'")
          continue
        }
        bootTime = seconds
        report.linesUnderstood += 1
      case "hz":
        guard let ticks = Int64(value), ticks > 0 else {
          reject("expected 'hz TICKS'")
          continue
        }
        hertz = ticks
        report.linesUnderstood += 1
      case "ephemeral":
        let parts = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2, let low = UInt16(parts[0]), let high = UInt16(parts[1]), low <= high else {
          reject("expected 'ephemeral FIRST LAST'")
          continue
        }
        ephemeral = PortRange(first: low, last: high)
        report.linesUnderstood += 1
      case "pid":
        guard let pid = Int32(value), pid > 0 else {
          reject("expected 'pid N'")
          current = nil
          continue
        }
        if byPID[pid] == nil {
          byPID[pid] = ProcessIdentity(pid: pid)
          order.append(pid)
        }
        current = pid
        report.linesUnderstood += 1
      case "comm": update { $0.comm = unescape(rest) }
      case "ppid":
        guard let ppid = Int32(value) else {
          reject("expected 'ppid N'")
          continue
        }
        update { $0.parentPID = ppid }
      case "pcomm": update { $0.parentComm = rest.isEmpty ? nil : unescape(rest) }
      case "start":
        guard let ticks = UInt64(value), let pid = current else {
          reject("expected 'start TICKS'")
          continue
        }
        pendingStart[pid] = ticks
        update { _ in }
      case "uid":
        let parts = value.split(separator: " ")
        guard parts.count == 2, let real = UInt32(parts[0]), let effective = UInt32(parts[1]) else {
          reject("expected 'uid REAL EFFECTIVE'")
          continue
        }
        update {
          $0.realUID = real
          $0.effectiveUID = effective
        }
      case "cgroup": update { $0.cgroupLines.append(unescape(rest)) }
      case "arg": update { $0.arguments = ($0.arguments ?? []) + [unescape(rest)] }
      case "argcut": update { $0.argumentsTruncated = true }
      case "user":
        let parts = rest.split(separator: 32, maxSplits: 1)
        guard parts.count == 2, let uid = UInt32(String(decoding: parts[0], as: UTF8.self)) else {
          reject("expected 'user UID NAME'")
          continue
        }
        users[uid] = unescape(parts[1])
        report.linesUnderstood += 1
      case "link":
        if !rest.contains(62), isProcLinkName(rest) {
          report.linesIgnored += 1  // GNU stat prints the bare name of a link it cannot read (a kernel thread's exe)
          continue
        }
        guard let (pid, kind, target) = link(rest) else {
          reject("expected 'link /proc/PID/(exe|ns/net) -> TARGET'")
          continue
        }
        guard var identity = byPID[pid] else {
          report.linesIgnored += 1  // a link of a process awk did not see (it ended between the two)
          continue
        }
        if kind == "exe" {
          let suffix = " (deleted)"
          identity.executableDeleted = target.hasSuffix(suffix)
          identity.executable = target.hasSuffix(suffix) ? String(target.dropLast(suffix.count)) : target
        } else if let inode = namespaceInode(target) {
          identity.networkNamespace = inode
        } else {
          reject("expected 'net:[INODE]'")
          continue
        }
        byPID[pid] = identity
        report.linesUnderstood += 1
      default:
        if key.hasPrefix("#") {
          report.linesIgnored += 1
          report.note(value.isEmpty ? key : key + " " + value)
        } else {
          report.linesIgnored += 1  // a key a newer probe prints
        }
      }
    }
    var processes: [ProcessIdentity] = []
    for pid in order {
      guard var identity = byPID[pid] else { continue }
      if let ticks = pendingStart[pid], let bootTime, let hertz { identity.startTime = bootTime + Int64(ticks) / hertz }
      if let uid = identity.realUID { identity.realUser = users[uid] }
      if let uid = identity.effectiveUID { identity.effectiveUser = users[uid] }
      processes.append(identity)
    }
    return ProcessIdentityTable(processes: processes, ephemeralPorts: ephemeral, report: report)
  }

  /// `/proc/812/exe -> /usr/bin/x` (GNU, escape style) or `'/proc/812/exe' -> '/usr/bin/x'`
  /// (busybox): the pid, `exe` or `net`, and the decoded target.
  static func link(_ text: ArraySlice<UInt8>) -> (Int32, String, String)? {
    let arrow = Array(" -> ".utf8)
    guard let at = firstRange(of: arrow, in: text) else { return nil }
    var name = text[text.startIndex..<at]
    var target = text[(at + arrow.count)...]
    if name.first == 39, name.last == 39, name.count >= 2 { name = name.dropFirst().dropLast() }
    if target.first == 39, target.last == 39, target.count >= 2 { target = target.dropFirst().dropLast() }
    let path = String(decoding: name, as: UTF8.self)
    let parts = path.split(separator: "/")
    guard parts.count >= 3, parts[0] == "proc", let pid = Int32(parts[1]), pid > 0 else { return nil }
    let rest = parts[2...].joined(separator: "/")
    guard rest == "exe" || rest == "ns/net" else { return nil }
    return (pid, rest == "exe" ? "exe" : "net", unescape(target))
  }

  /// `/proc/<pid>/exe` or `/proc/<pid>/ns/net`, quoted or not.
  static func isProcLinkName(_ text: ArraySlice<UInt8>) -> Bool {
    var name = Substring(String(decoding: text, as: UTF8.self))
    if name.hasPrefix("'") && name.hasSuffix("'") && name.count >= 2 { name = name.dropFirst().dropLast() }
    let parts = name.split(separator: "/")
    return parts.count >= 3 && parts[0] == "proc" && Int32(parts[1]) != nil
      && ["exe", "ns/net"].contains(parts[2...].joined(separator: "/"))
  }

  static func firstRange(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    var i = haystack.startIndex
    while i + needle.count <= haystack.endIndex {
      if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
      i += 1
    }
    return nil
  }

  /// `net:[4026531840]` → 4026531840.
  static func namespaceInode(_ target: String) -> UInt64? {
    guard target.hasPrefix("net:["), target.hasSuffix("]") else { return nil }
    return UInt64(target.dropFirst(5).dropLast())
  }

  /// Decodes `\ooo` (three octal digits) and C escapes (`\\`, `\n`, `\t`, `\r`, `\a`, `\b`,
  /// `\f`, `\v`, `\'`, `\"`, `\?`); a lone or unknown escape is kept as written. Bytes that
  /// are not UTF-8 become U+FFFD.
  public static func unescape(_ bytes: ArraySlice<UInt8>) -> String {
    guard bytes.contains(92) else { return String(decoding: bytes, as: UTF8.self) }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var i = bytes.startIndex
    func octal(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 55 }
    while i < bytes.endIndex {
      let byte = bytes[i]
      guard byte == 92, i + 1 < bytes.endIndex else {
        out.append(byte)
        i += 1
        continue
      }
      let next = bytes[i + 1]
      if i + 3 < bytes.endIndex, octal(next), octal(bytes[i + 2]), octal(bytes[i + 3]) {
        let value = Int(next - 48) * 64 + Int(bytes[i + 2] - 48) * 8 + Int(bytes[i + 3] - 48)
        if value < 256 {
          out.append(UInt8(value))
          i += 4
          continue
        }
      }
      let simple: [UInt8: UInt8] = [92: 92, 110: 10, 116: 9, 114: 13, 97: 7, 98: 8, 102: 12, 118: 11, 39: 39, 34: 34, 63: 63]
      if let decoded = simple[next] {
        out.append(decoded)
        i += 2
      } else {
        out.append(byte)
        i += 1
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func unescape(_ text: String) -> String { unescape(ArraySlice(Array(text.utf8))) }
}
