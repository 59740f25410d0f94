/// `deleted-executable`: a listener's process runs a binary that was removed or replaced
/// since it started (`/proc/<pid>/exe` reads ` (deleted)`): a restart pending after a package
/// upgrade (the old, maybe vulnerable, code still serves) or a process hiding its binary.
enum DeletedExecutableRule {
  /// `a` reaches at least as far as `b` (a listener without a reach reaches least).
  static func widerOrEqual(_ a: Listener, than b: Listener) -> Bool {
    guard let bReach = b.reach?.reach else { return true }
    guard let aReach = a.reach?.reach else { return false }
    return aReach >= bReach
  }

  static let info = RuleInfo(
    id: "deleted-executable", severity: .medium, title: "Listener runs a deleted or replaced executable",
    triggers: "an owner of a listener whose /proc/<pid>/exe link reads (deleted): its binary was removed or replaced since it started")

  static func evaluate(_ host: HostContext) -> [Finding] {
    // One finding per process, on its widest listener; the others are named in the evidence.
    var byPID: [Int32: (owner: ProcessIdentity, listeners: [Listener])] = [:]
    for listener in host.listeners {
      for owner in listener.deletedExecutables { byPID[owner.pid, default: (owner, [])].listeners.append(listener) }
    }
    return byPID.keys.sorted().compactMap { pid in
      guard let (owner, listeners) = byPID[pid], let first = listeners.first else { return nil }
      let widest = listeners.max { widerOrEqual($1, than: $0) && !widerOrEqual($0, than: $1) } ?? first
      let started = owner.startTime.map { ", started \(ISO8601Seconds.text($0))" } ?? ""
      let name = owner.comm.map(TerminalText.sanitize) ?? "pid \(pid)"
      let path = owner.executable.map(TerminalText.sanitize) ?? "?"
      return host.finding(
        info, socket: widest.findingSocket,
        evidence: "\(name) (pid \(pid)\(started)) runs \(path) (deleted), listening on "
          + listeners.map(\.text).joined(separator: ", ") + (owner.unit.map { "; unit \($0)" } ?? ""),
        fix: "Restart \(owner.unit ?? name) so it runs the binary now installed; if no upgrade replaced \(path), find out what removed it.")
    }
  }
}

/// Epoch seconds as `2026-11-30T02:00:00Z`.
enum ISO8601Seconds {
  static func text(_ seconds: Int64) -> String {
    let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
    let rest = seconds - days * 86400
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(year)-\(two(month))-\(two(day))T\(two(rest / 3600)):\(two(rest % 3600 / 60)):\(two(rest % 60))Z"
  }
}
