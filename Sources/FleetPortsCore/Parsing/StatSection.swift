/// The probe's `stat` section: one `stat -c '%a %U %G %N'` run with QUOTING_STYLE=escape over
/// the probe shell's /proc/$$/exe (always first), each listening Unix socket's path, and the
/// /proc/P/exe and /proc/P/ns/net links of the processes in `proc-ids`.
///
/// GNU coreutils (8.x, 9.x) writes `%N` in escape style: a plain name with `\`, control and
/// other unprintable bytes escaped (`\\`, `\n`, `\ooo`), a link as `NAME -> TARGET`. busybox
/// (1.3x) writes a plain name as it is and a link as `'NAME' -> 'TARGET'` (an unreadable link:
/// an empty name). The first line, the shell's own executable (always a readable link), tells
/// the two apart, so a busybox socket path holding a backslash is kept as it is. stat's errors
/// go to /dev/null (they would land mid-line); a line that is not `MODE USER GROUP /NAME` is
/// counted, never fatal.
public struct StatSection: Hashable, Sendable {
  /// The listening Unix sockets' paths: mode and owner.
  public var unixModes: [UnixSocketMode] = []
  /// The `/proc/P/…` links as `ProcessIdentityParser` reads them: `link NAME -> TARGET` lines.
  public var linkLines: [UInt8] = []
  /// The probe shell's executable (the target of the first line), e.g. `/usr/bin/dash`.
  public var shell: String?
  /// Lines that were neither (stat's error messages).
  public var otherLines = 0

  public static func parse(_ bytes: [UInt8]) -> StatSection {
    var result = StatSection()
    var quoted: Bool?
    for line in bytes.split(separator: 10, omittingEmptySubsequences: true) {
      let fields = line.split(separator: 32, maxSplits: 3, omittingEmptySubsequences: false)
      guard fields.count == 4, !fields[0].isEmpty, fields[0].allSatisfy({ $0 >= 48 && $0 <= 55 }), !fields[3].isEmpty else {
        result.otherLines += 1
        continue
      }
      let name = fields[3]
      // Every name the probe gives starts with `/` (busybox quotes a link's: `'/`).
      guard name.first == 47 || name.starts(with: [39, 47]) else {
        result.otherLines += 1
        continue
      }
      if quoted == nil {
        // The first line is /proc/<shell>/exe: quoted by busybox, bare by GNU.
        quoted = name.first == 39
        if let target = ProcessIdentityParser.link(name) {
          result.shell = target.2
        }
        continue
      }
      if isProcLink(name) {
        result.linkLines += Array("link ".utf8) + Array(name) + [10]
        continue
      }
      let path = quoted == true ? String(decoding: name, as: UTF8.self) : ProcessIdentityParser.unescape(name)
      result.unixModes.append(
        UnixSocketMode(path: path, mode: String(decoding: fields[0], as: UTF8.self), owner: String(decoding: fields[1], as: UTF8.self)))
    }
    return result
  }

  /// `/proc/P/exe` or `/proc/P/ns/net`, bare or quoted, with or without ` -> TARGET`: the
  /// kernel makes no socket under /proc, so such a name is always one of the owners' links.
  static func isProcLink(_ name: ArraySlice<UInt8>) -> Bool {
    let arrow = Array(" -> ".utf8)
    let head = ProcessIdentityParser.firstRange(of: arrow, in: name).map { name[name.startIndex..<$0] } ?? name
    return ProcessIdentityParser.isProcLinkName(head)
  }
}
