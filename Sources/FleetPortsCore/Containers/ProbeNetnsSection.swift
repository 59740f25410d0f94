/// The probe's `netns` section (`fp_netns` in ProbeScript+Functions.swift), one fact a line:
///
///     proxy <pid> <argv joined by spaces>     a docker-proxy in the probe's own namespace
///     pid <pid> <reader>                      a process in another namespace, read through <reader>
///     cg <pid> <line of /proc/<pid>/cgroup>
///     host <pid> <first line of /proc/<pid>/root/etc/hostname>
///     hidden <processes> <processes>          not inspectable (not root) / in namespaces past the cap of 16
///     ns <inode> /proc/<pid>/ns/net           the probe's own ($$, no `pid` line) and each reader's
///
/// Pure; a line it does not know is counted in the report, never fatal.
public struct ProbeNetnsSection: Sendable {
  public var readers: [Int32] = []
  public var readerOf: [Int32: Int32] = [:]
  public var inodes: [Int32: UInt64] = [:]
  public var cgroups: [Int32: String] = [:]
  public var hostnames: [Int32: String] = [:]
  public var proxies: [(pid: Int32, arguments: [Substring])] = []
  public var hiddenProcesses = 0
  public var processesInUnreadNamespaces = 0
  public var report = ParseReport()

  /// The probe's own namespace: the `ns` line whose pid is no reader.
  public var hostInode: UInt64? { inodes.first { readerOf[$0.key] == nil }?.value }

  /// The processes listed (the probe lists at most 256).
  public var processCount: Int { readerOf.count }

  public static func parse(_ bytes: [UInt8]) -> ProbeNetnsSection {
    var section = ProbeNetnsSection()
    let text = String(decoding: bytes, as: UTF8.self)
    for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
      section.report.linesRead += 1
      let fields = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
      guard fields.count >= 2 else {
        section.reject(offset + 1, "expected 'kind pid …'", line)
        continue
      }
      let rest = fields.count > 2 ? fields[2] : ""
      switch fields[0] {
      case "pid":
        guard let pid = Int32(fields[1]), let reader = Int32(rest) else {
          section.reject(offset + 1, "bad pid line", line)
          continue
        }
        section.readerOf[pid] = reader
        if pid == reader { section.readers.append(pid) }
      case "cg":
        guard let pid = Int32(fields[1]) else {
          section.reject(offset + 1, "bad pid", line)
          continue
        }
        section.cgroups[pid, default: ""] += rest + "\n"
      case "host":
        guard let pid = Int32(fields[1]) else {
          section.reject(offset + 1, "bad pid", line)
          continue
        }
        section.hostnames[pid] = String(rest)
      case "proxy":
        guard let pid = Int32(fields[1]) else {
          section.reject(offset + 1, "bad pid", line)
          continue
        }
        section.proxies.append((pid, rest.split(separator: " ")))
      case "hidden":
        section.hiddenProcesses = Int(fields[1]) ?? 0
        section.processesInUnreadNamespaces = Int(rest) ?? 0
      case "ns":
        // ns 4026532746 /proc/12/ns/net
        let path = rest.split(separator: "/")
        guard let inode = UInt64(fields[1]), path.count == 4, path[0] == "proc", let pid = Int32(path[1]) else {
          section.reject(offset + 1, "bad ns line", line)
          continue
        }
        section.inodes[pid] = inode
      default:
        section.reject(offset + 1, "unknown kind", line)
        continue
      }
      section.report.linesUnderstood += 1
    }
    return section
  }

  private mutating func reject(_ line: Int, _ reason: String, _ text: Substring) {
    Array(text.utf8).withUnsafeBufferPointer { report.reject(line: line, reason: reason, bytes: $0) }
  }
}
