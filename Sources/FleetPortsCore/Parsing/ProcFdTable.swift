/// The probe's `proc-fd` section: `pid inode comm` for every socket descriptor.
enum ProcFdTable {
  static func parse(_ bytes: [UInt8]) -> (owners: [UInt64: [OwningProcess]], report: ParseReport) {
    var owners: [UInt64: [OwningProcess]] = [:]
    var report = ParseReport()
    bytes.withUnsafeBufferPointer { buffer in
      forEachLine(buffer) { number, line in
        report.linesRead += 1
        var cursor = FieldCursor(line)
        guard let pidRange = cursor.next(), let pid = line.decimal(pidRange), pid <= UInt64(Int32.max),
          let inodeRange = cursor.next(), let inode = line.decimal(inodeRange)
        else {
          if line.hasPrefix("#") {
            report.linesIgnored += 1  // the probe's own summary, e.g. of stat errors
            report.note(String(decoding: line, as: UTF8.self))
          } else if line.hasPrefix("stat:") || line.hasPrefix("no readable") {
            report.linesIgnored += 1  // a process that vanished mid-scan, or nothing to read
          } else {
            report.reject(line: number, reason: "expected 'pid inode comm'", bytes: line)
          }
          return
        }
        let name = inodeRange.upperBound + 1 < line.count ? line.string((inodeRange.upperBound + 1)..<line.count) : ""
        let owner = OwningProcess(name: name, pid: Int32(pid), fd: nil)
        if !(owners[inode]?.contains(owner) ?? false) { owners[inode, default: []].append(owner) }
        report.linesUnderstood += 1
      }
    }
    return (owners, report)
  }
}
