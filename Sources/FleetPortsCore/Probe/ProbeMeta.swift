/// What the probe's `meta` section says about a host: identity, OS, user, byte order and tools.
public struct ProbeMeta: Sendable, Hashable, Codable {
  /// The framing/probe version the script reported (`probe=`).
  public var probeVersion: String?
  /// The attribution method the script ran (for `auto`: the one it chose).
  public var method: ProbeMethod?
  /// The method that was asked for.
  public var methodRequested: ProbeMethod?
  public var sectionCap: Int?
  /// `awk` when the probe's one awk capped its sections (the light probe); on a host without
  /// awk, `head` when sections were capped with `head -c`, `none` when there is no head.
  public var capTool: String?
  /// /proc/sys/kernel/hostname (`uname -n` without awk).
  public var hostname: String?
  /// /proc/sys/kernel/osrelease (`uname -r` without awk).
  public var kernel: String?
  /// /proc/sys/kernel/arch (Linux 6.1 and later; `uname -m` without awk), e.g. `x86_64`.
  public var machine: String?
  /// Real user id (/proc/self/status `Uid:`; `id` without awk).
  public var uid: Int?
  /// Effective user id: 0 means the probe could attribute every socket.
  public var euid: Int?
  /// The effective uid's name in /etc/passwd (first entry; `id` without awk, which asks NSS).
  public var user: String?
  public var machineID: String?
  public var bootID: String?
  /// `ID`, `VERSION_ID` and `PRETTY_NAME` of /etc/os-release, unquoted.
  public var osID: String?
  public var osVersionID: String?
  public var osPrettyName: String?
  /// The byte order the host reported (EI_DATA of /proc/self/exe's ELF header; `od` without
  /// awk); see `procByteOrder` for the value to parse with.
  public var byteOrder: ParseOptions.ByteOrder?
  /// The shell that ran the probe (the probe's stat of /proc/$$/exe, `StatSection`; `readlink`
  /// without awk).
  public var shell: String?
  /// The host's clock, seconds since 1970 (UTC): only a probe without awk sends it (`date`).
  public var time: Int?
  public var ssPath: String?
  public var ssVersion: String?
  public var netstatPath: String?
  public var netstatVersion: String?
  /// The flags the probe gave netstat (what this netstat accepts), e.g. `-tuanpW` or `-tuan`.
  public var netstatFlags: String?
  public var lsofPath: String?
  public var lsofVersion: String?
  public var ipPath: String?
  /// Keys this version does not know, with their raw values.
  public var other: [String: String] = [:]
  /// Lines without `key=value` form, e.g. a tool's error message.
  public var notes: [String] = []

  public init() {}

  /// True when the probe ran with effective uid 0.
  public var isRoot: Bool { euid == 0 }

  /// The byte order to parse this host's /proc/net hex addresses with: the reported one, else
  /// the one its machine name implies, else little endian.
  public var procByteOrder: ParseOptions.ByteOrder {
    byteOrder ?? machine.flatMap(Self.byteOrder(forMachine:)) ?? .little
  }

  /// The byte order `uname -m` implies, when the name is known.
  public static func byteOrder(forMachine machine: String) -> ParseOptions.ByteOrder? {
    let name = machine.lowercased()
    let big = [
      "s390", "s390x", "ppc", "ppc64", "powerpc", "mips", "mips64", "sparc", "sparc64", "aarch64_be", "armeb", "armv7b",
      "m68k", "parisc", "parisc64",
    ]
    let little = [
      "x86_64", "amd64", "i386", "i486", "i586", "i686", "aarch64", "arm64", "ppc64le", "mipsel", "mips64el", "riscv64",
      "riscv32", "loongarch64", "alpha", "ia64", "sh4",
    ]
    if big.contains(name) { return .big }
    if little.contains(name) || name.hasPrefix("armv") && name.hasSuffix("l") { return .little }
    return nil
  }

  /// Reads `key=value` lines; a key may appear once (a later duplicate wins). Never fails.
  public static func parse(_ section: ProbeSection) -> ProbeMeta {
    var meta = ProbeMeta()
    let text = String(decoding: section.body, as: UTF8.self)
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
      guard let equals = line.firstIndex(of: "="), isKey(line[..<equals]) else {
        if meta.notes.count < 100 { meta.notes.append(String(line.prefix(500))) }
        continue
      }
      let key = String(line[..<equals])
      let value = String(line[line.index(after: equals)...])
      meta.set(key, value)
    }
    return meta
  }

  static func isKey(_ key: Substring) -> Bool {
    !key.isEmpty && key.count <= 64
      && key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }
  }

  mutating func set(_ key: String, _ raw: String) {
    let value: String? = raw.isEmpty ? nil : raw
    switch key {
    case "probe": probeVersion = value
    case "method": method = value.flatMap(ProbeMethod.init(rawValue:))
    case "method-requested": methodRequested = value.flatMap(ProbeMethod.init(rawValue:))
    case "section-cap": sectionCap = value.flatMap { Int($0) }
    case "cap-tool": capTool = value
    case "hostname": hostname = value
    case "kernel": kernel = value
    case "machine": machine = value
    case "uid": uid = value.flatMap { Int($0) }
    case "euid": euid = value.flatMap { Int($0) }
    case "user": user = value
    case "machine-id": machineID = value
    case "boot-id": bootID = value
    case "os-id": osID = value.map(Self.unquote)
    case "os-version-id": osVersionID = value.map(Self.unquote)
    case "os-pretty-name": osPrettyName = value.map(Self.unquote)
    case "byte-order": byteOrder = value.flatMap(ParseOptions.ByteOrder.init(rawValue:))
    case "shell": shell = value
    case "time": time = value.flatMap { Int($0) }
    case "ss-path": ssPath = value
    case "ss-version": ssVersion = value
    case "netstat-path": netstatPath = value
    case "netstat-version": netstatVersion = value
    case "netstat-flags": netstatFlags = value
    case "lsof-path": lsofPath = value
    case "lsof-version": lsofVersion = value
    case "ip-path": ipPath = value
    default: other[key] = raw
    }
  }

  /// An os-release value without its shell quoting: `"Debian GNU/Linux 12 (bookworm)"` → `Debian GNU/Linux 12 (bookworm)`.
  public static func unquote(_ value: String) -> String {
    let scalars = Array(value.unicodeScalars)
    guard let first = scalars.first, scalars.count >= 2, first == "\"" || first == "'", scalars.last == first else { return value }
    let inner = scalars[1..<(scalars.count - 1)]
    guard first == "\"" else { return String(String.UnicodeScalarView(inner)) }
    var out = String.UnicodeScalarView()
    var escaped = false
    for scalar in inner {
      if escaped {
        if !["\"", "\\", "$", "`"].contains(scalar) { out.append("\\") }
        out.append(scalar)
        escaped = false
      } else if scalar == "\\" {
        escaped = true
      } else {
        out.append(scalar)
      }
    }
    if escaped { out.append("\\") }
    return String(out)
  }
}
