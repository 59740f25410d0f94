/// The probe's `unix-modes` section: `stat -c '%a %U %G %n'` lines, or `ls -ld` lines.
enum UnixSocketModeParser {
  static func parse(_ bytes: [UInt8]) -> [UnixSocketMode] {
    var result: [UnixSocketMode] = []
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
      let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
      if fields.count == 4, fields[0].allSatisfy({ $0 >= "0" && $0 <= "7" }) {
        result.append(UnixSocketMode(path: String(fields[3]), mode: String(fields[0]), owner: String(fields[1])))
      } else if let first = fields.first, first.hasPrefix("s"), first.count >= 10 {
        // ls -ld: `srw-rw-rw- 1 user group 0 Jan  1 00:00 /path`
        let all = line.split(separator: " ", omittingEmptySubsequences: true)
        guard all.count >= 9, let pathStart = line.firstRange(of: " /") else { continue }
        result.append(UnixSocketMode(path: String(line[line.index(after: pathStart.lowerBound)...]), mode: octal(String(first)), owner: String(all[2])))
      }
    }
    return result
  }

  static func octal(_ symbolic: String) -> String {
    let chars = Array(symbolic.dropFirst().prefix(9))
    guard chars.count == 9 else { return "?" }
    var value = 0
    for (i, c) in chars.enumerated() where c != "-" { value |= 1 << (8 - i) }
    return String(value, radix: 8)
  }
}
