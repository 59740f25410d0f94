/// Names every socket owner by what the probe read about the process, not by what the
/// attribution tool printed, so one host reads the same with `--method` ss, netstat, lsof
/// or proc.
enum OwnerNames {
  /// Sets each owner's `name` to its process's comm (the tool's spelling kept in `toolName`
  /// where it differs), and drops the name-damage flags once every owner of a socket was
  /// named from /proc (comm is the kernel's own; 15 bytes is its size, said by the identity).
  static func apply(_ processes: [ProcessIdentity], to sockets: inout [SocketRecord]) {
    let comms = Dictionary(processes.compactMap { p in p.comm.map { (p.pid, $0) } }, uniquingKeysWith: { first, _ in first })
    guard !comms.isEmpty else { return }
    for i in sockets.indices where !sockets[i].processes.isEmpty {
      var allNamed = true
      for j in sockets[i].processes.indices {
        guard let pid = sockets[i].processes[j].pid, let comm = comms[pid] else {
          allNamed = false
          continue
        }
        let printed = sockets[i].processes[j].name
        if printed != comm { sockets[i].processes[j].toolName = printed }
        sockets[i].processes[j].name = comm
      }
      if allNamed {
        sockets[i].dataLoss.subtract([.processNameMayBeTruncated, .processNameMayBeCutAtParenthesis])
      }
    }
  }
}
