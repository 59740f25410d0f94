/// Reads ss's owner column, `users:(("name",pid=1,fd=3),("name",pid=2,fd=3))`, and the old
/// iproute2 form `users:(("name",1,3))`. ss prints names unescaped, so a name may hold quotes,
/// commas and parentheses; each entry tries the possible ends of its name in order and takes
/// the first after which the rest of the entry reads cleanly.
struct SSProcessList {
  var processes: [OwningProcess] = []
  var dataLoss: Set<DataLoss> = []
  /// Index just past the closing `)` of the list.
  var end: Int

  /// Kernel `comm` holds at most 15 bytes; a name that long may have been cut.
  static let commLimit = 15
  /// How many candidate name ends one entry may try before giving up (hostile input bound).
  static let maxCandidates = 32

  /// Parses the list starting at `start`, which points at `users:(`.
  static func parse(_ line: UnsafeBufferPointer<UInt8>, at start: Int) -> SSProcessList? {
    var i = start + 7  // past "users:("
    var result = SSProcessList(end: i)
    let n = line.count
    while true {
      // Each entry opens with `("`.
      guard i + 1 < n, line[i] == 40, line[i + 1] == 34 else { return nil }
      let nameStart = i + 2
      var search = nameStart
      var accepted: (entry: OwningProcess, next: Int, nameEnd: Int)?
      var tries = 0
      while tries < maxCandidates, let quote = nextQuoteComma(line, from: search) {
        tries += 1
        if let (pid, fd, after, _) = readNumbers(line, at: quote + 2),
          after < n, line[after] == 41,  // `)` closes the entry
          after + 1 < n, line[after + 1] == 41 || (line[after + 1] == 44 && after + 3 < n && line[after + 2] == 40 && line[after + 3] == 34)
        {
          let name = line.string(nameStart..<quote)
          accepted = (OwningProcess(name: name, pid: pid, fd: fd), after + 1, quote)
          break
        }
        search = quote + 1
      }
      guard let accepted else { return nil }
      result.processes.append(accepted.entry)
      if accepted.entry.name.utf8.count >= commLimit { result.dataLoss.insert(.processNameMayBeTruncated) }
      // The name's bytes as printed: decoding keeps every ASCII byte (`"`, `(`, `)`) where it
      // was, so these read the line rather than walk the String's UTF-8 view.
      let name = line.slice(nameStart..<accepted.nameEnd)
      if name.contains(34) { result.dataLoss.insert(.processListAmbiguous) }
      if opensWithoutClosing(name) { result.dataLoss.insert(.processNameMayBeCutAtParenthesis) }
      i = accepted.next
      if line[i] == 41 {  // `)` closes the list
        result.end = i + 1
        return result
      }
      i += 1  // past `,`
    }
  }

  /// ss reads names from /proc/PID/stat and stops at the first `)`, so `my (x),y` shows as
  /// `my (x`: an opening parenthesis left unclosed is the trace of that cut.
  static func opensWithoutClosing(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let open = name.lastIndex(of: 40) else { return false }
    return !name[open...].contains(41)
  }

  private static func nextQuoteComma(_ line: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
    var j = from
    while j + 1 < line.count {
      if line[j] == 34 && line[j + 1] == 44 { return j }
      j += 1
    }
    return nil
  }

  /// Reads `pid=N,fd=N` or the old `N,N`; returns the index of the byte after the fd.
  private static func readNumbers(_ line: UnsafeBufferPointer<UInt8>, at start: Int) -> (Int32?, Int32?, Int, Bool)? {
    var i = start
    var old = true
    if line.count - i >= 4, line[i] == 112, line[i + 1] == 105, line[i + 2] == 100, line[i + 3] == 61 {  // pid=
      i += 4
      old = false
    }
    let pidStart = i
    while i < line.count && isDigit(line[i]) { i += 1 }
    guard i > pidStart, let pid = line.decimal(pidStart..<i), pid <= UInt64(Int32.max) else { return nil }
    guard i < line.count, line[i] == 44 else { return nil }
    i += 1
    if !old {
      guard line.count - i >= 3, line[i] == 102, line[i + 1] == 100, line[i + 2] == 61 else { return nil }  // fd=
      i += 3
    }
    let fdStart = i
    while i < line.count && isDigit(line[i]) { i += 1 }
    guard i > fdStart, let fd = line.decimal(fdStart..<i), fd <= UInt64(Int32.max) else { return nil }
    return (Int32(pid), Int32(fd), i, old)
  }
}
