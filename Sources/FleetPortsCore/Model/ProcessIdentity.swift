/// Who a process is, as the probe read it from /proc in the `proc-ids` section: the same
/// facts whatever tool (ss, netstat, lsof, /proc) named the pid. Every field is nil where
/// the host did not let the probe read it (another user's `exe` and namespace without
/// root), never a guess.
///
/// In scan.json under `snapshot.processes` and, per listener, `owners` (docs/scan-json.md).
public struct ProcessIdentity: Hashable, Sendable, Codable {
  public var pid: Int32
  /// The kernel's name for it (`/proc/<pid>/stat` field 2; at most 15 bytes).
  public var comm: String?
  /// The executable's path as `/proc/<pid>/exe` reads, without the kernel's ` (deleted)`.
  public var executable: String?
  /// The running binary is no longer at its path: removed, or replaced by a new file (a
  /// package upgrade renames the new binary over the old, which unlinks the old inode, so
  /// both read ` (deleted)`). nil where `exe` could not be read.
  public var executableDeleted: Bool?
  /// argv, each element as the process left it (at most 4,096 bytes in all); nil if unread.
  public var arguments: [String]?
  /// argv was longer than the probe reads: `arguments` holds its start.
  public var argumentsTruncated: Bool
  /// Real and effective uid (`/proc/<pid>/status` `Uid:`) and their names on the host
  /// (its /etc/passwd); a name is nil for a uid without an entry.
  public var realUID: UInt32?
  public var effectiveUID: UInt32?
  public var realUser: String?
  public var effectiveUser: String?
  public var parentPID: Int32?
  public var parentComm: String?
  /// When it started, seconds since the epoch: boot time plus stat field 22 over CLK_TCK.
  public var startTime: Int64?
  /// `/proc/<pid>/cgroup` as the host printed it, one line per hierarchy
  /// (`0::/system.slice/nginx.service`, `1:name=systemd:/…`).
  public var cgroupLines: [String]
  /// The network namespace inode (`/proc/<pid>/ns/net` reads `net:[4026531840]`).
  public var networkNamespace: UInt64?
  /// The name of the container the process runs in, where container detection (the
  /// container runtime read from `cgroup`) names one; nil otherwise. Part of `OwnerKey`.
  public var containerName: String?

  public init(
    pid: Int32, comm: String? = nil, executable: String? = nil, executableDeleted: Bool? = nil, arguments: [String]? = nil,
    argumentsTruncated: Bool = false, realUID: UInt32? = nil, effectiveUID: UInt32? = nil, realUser: String? = nil,
    effectiveUser: String? = nil, parentPID: Int32? = nil, parentComm: String? = nil, startTime: Int64? = nil,
    cgroupLines: [String] = [], networkNamespace: UInt64? = nil
  ) {
    self.pid = pid
    self.comm = comm
    self.executable = executable
    self.executableDeleted = executableDeleted
    self.arguments = arguments
    self.argumentsTruncated = argumentsTruncated
    self.realUID = realUID
    self.effectiveUID = effectiveUID
    self.realUser = realUser
    self.effectiveUser = effectiveUser
    self.parentPID = parentPID
    self.parentComm = parentComm
    self.startTime = startTime
    self.cgroupLines = cgroupLines
    self.networkNamespace = networkNamespace
  }

  /// The cgroup path that places the process: the unified (v2, `0::`) hierarchy's, else the
  /// v1 `name=systemd` one's (a hybrid host whose v2 tree is unused reads `0::/`). The raw
  /// path, so container runtimes can be read from it too.
  public var cgroup: String? { CgroupPath.placing(cgroupLines) }

  /// The systemd unit the process runs in (`nginx.service`, `session-3.scope`,
  /// `user@1000.service`), read from `cgroup`; nil when it is in none.
  public var unit: String? { cgroup.flatMap(CgroupPath.unit) }

  /// The name shown for it: comm, else the executable's last component.
  public var displayName: String? { comm ?? executable.map { String($0.split(separator: "/").last ?? Substring($0)) } }

  /// The user it runs as: the effective user's name, else `uid N`; nil if unread.
  public var userText: String? { effectiveUser ?? effectiveUID.map { "uid \($0)" } }

  /// What names this owner across scans: executable, unit and container, never the pid.
  public var key: OwnerKey { OwnerKey(executable: executable, unit: unit, container: containerName, comm: comm) }
}

/// An owner's identity across scans (`ScanDiff`): a restarted daemon (new pid, new start
/// time) or a recreated container (new id, same name) is the same owner. `comm` stands in
/// only where the executable could not be read (not root), so two scans compare like for like.
public struct OwnerKey: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
  public var executable: String?
  public var unit: String?
  public var container: String?
  public var comm: String?

  public init(executable: String?, unit: String?, container: String?, comm: String?) {
    self.executable = executable
    self.unit = unit
    self.container = container
    self.comm = executable == nil ? comm : nil
  }

  /// `/usr/sbin/sshd (ssh.service)`, `/usr/bin/nginx (container web)`, `postgres` (comm only).
  public var description: String {
    var text = executable ?? comm ?? "?"
    let context = [unit, container.map { "container " + $0 }].compactMap { $0 }
    if !context.isEmpty { text += " (" + context.joined(separator: ", ") + ")" }
    return text
  }

  public static func < (lhs: OwnerKey, rhs: OwnerKey) -> Bool { lhs.description < rhs.description }
}

/// Reads /proc/<pid>/cgroup paths.
public enum CgroupPath {
  /// The path of the v2 line (`0::<path>`) unless it is `/` or absent, else the v1
  /// `name=systemd` line's; nil when neither says more than `/`.
  public static func placing(_ lines: [String]) -> String? {
    var unified: String?
    var systemd: String?
    for line in lines {
      let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
      guard parts.count == 3 else { continue }
      if parts[0] == "0" && parts[1].isEmpty { unified = String(parts[2]) }
      if parts[1] == "name=systemd" { systemd = String(parts[2]) }
    }
    if let unified, unified != "/" { return unified }
    if let systemd, systemd != "/" { return systemd }
    return unified ?? systemd
  }

  /// The innermost systemd unit in `path`: the last component ending `.service` or `.scope`
  /// (`/system.slice/nginx.service` → `nginx.service`; `/user.slice/user-1000.slice/
  /// user@1000.service/app.slice/foo.service` → `foo.service`), or, for a process placed in a
  /// unit's sub-cgroup (`/system.slice/x.service/init.scope` kept), the innermost one. Slices
  /// (`.slice`) are not units a process runs in. nil for none.
  public static func unit(_ path: String) -> String? {
    for component in path.split(separator: "/").reversed() {
      if component.hasSuffix(".service") || component.hasSuffix(".scope") || component.hasSuffix(".socket") {
        return String(component)
      }
    }
    return nil
  }
}
