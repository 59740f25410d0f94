/// The probe's `stat` section: one `stat -c '%a %U %G %N'` run with QUOTING_STYLE=escape over
/// the probe shell's /proc/$$/exe (always first), each listening Unix socket's path, and the
/// /proc/P/exe and /proc/P/ns/net links of the processes in `proc-ids`.
///
/// GNU coreutils (8.x, 9.x) writes `%N` in escape style: a plain name with `\`, control and
/// other unprintable bytes escaped (`\\`, `\n`, `\ooo`), a link as `NAME -> TARGET`. busybox
/// (1.3x) writes a plain name as it is and a link as `'NAME' -> 'TARGET'` (an unreadable link:
/// an empty name). The first line, the shell's own executable (always a readable link), tells
/// the two apart, so a busybox socket path holding a backslash is kept as it is. coreutils
/// before 8.26 quotes every name (`'/run/x.sock'`, what is unprintable escaped): such a name
/// loses its quotes and escapes. stat's errors
/// go to /dev/null (they would land mid-line); a line that is not `MODE USER GROUP /NAME` is
/// counted, never fatal.
///
/// Names and link targets belong to whoever made them, and busybox prints them raw, newlines
/// included: another local user can make one print lines of its own choosing (a socket path
/// that is a symlink to `x\n600 root root /run/docker.sock`). So a socket path printed as a
/// link is refused (a symlink is not the socket); a name printed twice keeps neither line (the
/// real line is always among them); and with busybox's raw output, any line stat could not
/// have written means a name held a newline, and nothing in the section is trusted
/// (`distrusted`). GNU's escape style writes a newline as `\n`, so none of this can happen there.
public struct StatSection: Hashable, Sendable {
  /// The listening Unix sockets' paths: mode and owner.
  public var unixModes: [UnixSocketMode] = []
  /// The `/proc/P/…` links as `ProcessIdentityParser` reads them: `link NAME -> TARGET` lines.
  public var linkLines: [UInt8] = []
  /// The probe shell's executable (the target of the first line), e.g. `/usr/bin/dash`.
  public var shell: String?
  /// Lines that were neither (stat's error messages), socket paths printed as links, and lines
  /// dropped because their name was printed twice.
  public var otherLines = 0
  /// True when busybox's raw output held a line stat could not have written: every mode and
  /// link was dropped, so those values are unknown rather than possibly forged.
  public var distrusted = false

  /// Parses the section's bytes (the output of the probe's one `stat`; see the type's comment).
  /// Never fails: what cannot be read is counted in `otherLines`.
  public static func parse(_ bytes: [UInt8]) -> StatSection {
    var result = parseLines(bytes)
    if result.distrusted {
      result.unixModes = []
      result.linkLines = []
    }
    return result
  }

  private static func parseLines(_ bytes: [UInt8]) -> StatSection {
    var result = StatSection()
    var quoted: Bool?
    var modeCount: [String: Int] = [:]
    var linkCount: [ArraySlice<UInt8>: Int] = [:]
    var links: [ArraySlice<UInt8>] = []
    for line in bytes.split(separator: 10, omittingEmptySubsequences: true) {
      let fields = line.split(separator: 32, maxSplits: 3, omittingEmptySubsequences: false)
      let stated = fields.count == 4 && !fields[0].isEmpty && fields[0].allSatisfy({ $0 >= 48 && $0 <= 55 })
      // busybox's line for a link it may not read: `777 root root ` and no name.
      if stated && fields[3].isEmpty {
        result.otherLines += 1
        continue
      }
      guard stated,
        fields[3].first == 47 || fields[3].starts(with: [39, 47])  // every name given starts with `/` (busybox quotes a link's: `'/`)
      else {
        result.otherLines += 1
        if quoted == true { result.distrusted = true }
        continue
      }
      let name = fields[3]
      if quoted == nil {
        // The first line is /proc/<shell>/exe: quoted by busybox, bare by GNU.
        quoted = name.first == 39
        if let target = ProcessIdentityParser.link(name) {
          result.shell = target.2
        }
        continue
      }
      if isProcLink(name) {
        linkCount[linkName(name), default: 0] += 1
        links.append(name)
        continue
      }
      // A socket path printed as a link (` -> ` after the name) is a symlink someone put where
      // the socket was bound, not the socket.
      guard ProcessIdentityParser.firstRange(of: Array(" -> ".utf8), in: name) == nil else {
        result.otherLines += 1
        continue
      }
      let path: String
      if quoted == true, name.count >= 2, name.first == 39, name.last == 39 {
        // coreutils before 8.26 quotes every name, escaping what is unprintable.
        path = ProcessIdentityParser.unescape(name.dropFirst().dropLast())
      } else {
        path = quoted == true ? String(decoding: name, as: UTF8.self) : ProcessIdentityParser.unescape(name)
      }
      modeCount[path, default: 0] += 1
      result.unixModes.append(
        UnixSocketMode(path: path, mode: String(decoding: fields[0], as: UTF8.self), owner: String(decoding: fields[1], as: UTF8.self)))
    }
    let modes = result.unixModes.count
    result.unixModes.removeAll { modeCount[$0.path, default: 0] > 1 }
    result.otherLines += modes - result.unixModes.count
    for name in links {
      guard linkCount[linkName(name), default: 0] == 1 else {
        result.otherLines += 1
        continue
      }
      result.linkLines += Array("link ".utf8) + Array(name) + [10]
    }
    return result
  }

  /// A link line's name: what comes before ` -> `, or the whole name.
  static func linkName(_ name: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    ProcessIdentityParser.firstRange(of: Array(" -> ".utf8), in: name).map { name[name.startIndex..<$0] } ?? name
  }

  /// `/proc/P/exe` or `/proc/P/ns/net`, bare or quoted, with or without ` -> TARGET`: the
  /// kernel makes no socket under /proc, so such a name is always one of the owners' links.
  static func isProcLink(_ name: ArraySlice<UInt8>) -> Bool {
    let arrow = Array(" -> ".utf8)
    let head = ProcessIdentityParser.firstRange(of: arrow, in: name).map { name[name.startIndex..<$0] } ?? name
    return ProcessIdentityParser.isProcLinkName(head)
  }
}
