/// Writes the probe: one POSIX sh script a host runs as `sh -s` that prints every section
/// fleetports needs, framed by markers that carry the scan's nonce.
///
/// It is written to cost the host about what the admin's own `ss` costs, since a fleet scan
/// runs it everywhere at once: with `ss` and awk, on a host without other network namespaces
/// and (as root) without firewall tables, it starts `ss -tuaxnpe` (every `ss -p` walks every
/// process's file descriptors: the costliest step by far; its netlink dump is also the TCP
/// table), one awk that reads every other kernel table and metadata file and writes their
/// sections (see `oneAwk`), and one `stat`: with the login shell and `sh`, five programs; as
/// root `nft` too where nf_tables is in the kernel. The other namespaces are looked for with builtins, the
/// firewall only as root and where rules can be; a host without awk gets the shell's own
/// sections (`fp_plain`: `head -c`, `uname`, `id`, …) without identities.
///
/// Framing (read by `ProbeOutput.parse`), each marker on a line of its own. The first marker,
/// printed after a newline that ends any unterminated login noise, `@@fp:<nonce>:key <hex>@@`,
/// announces 32 hex digits the host made (the kernel's random uuid); every later marker
/// carries `<nonce><hex>` (written `<nonce>` below):
///
///     @@fp:<nonce>:begin <name>@@
///     <the command's stdout and stderr, at most cap+1 bytes>
///     @@fp:<nonce>:end <name> rc=<exit code> cap=<cap>@@
///
/// The script always writes one `\n` before the end marker (so it starts a line even when the
/// output does not end with one) and the parser removes exactly that byte. awk (or `head -c
/// cap+1` for what the shell runs) bounds a section at cap+1 bytes; a body longer than `cap` after that means the output was cut, and the
/// parser keeps `cap` bytes and sets `truncated`. `rc=?` means the shell could not learn the
/// status (the command's subshell died, e.g. of SIGPIPE after truncation). After the last
/// section the script prints `@@fp:<nonce>:done@@` and exits 0.
///
/// Only the nonce, the cap and the method's fixed name are written into the script.
public enum ProbeScript {
  /// The default cap on one section's bytes.
  public static let defaultSectionCap = 16 << 20

  /// The /proc/net files every method reads, as section names and the format that parses them.
  public static let procNetSections: [(name: ProbeSectionName, format: CaptureFormat)] = procNetFiles.map { file, format in
    (ProbeSectionName.procNet(file), format)
  }

  /// The /proc/net files read, in the order the script reads them, and their formats.
  static let procNetFiles: [(file: String, format: CaptureFormat)] = [
    ("tcp", .procNetTCP), ("tcp6", .procNetTCP6), ("udp", .procNetUDP), ("udp6", .procNetUDP6), ("raw", .procNetRaw),
    ("raw6", .procNetRaw6), ("unix", .procNetUnix), ("netstat", .procNetCounters), ("snmp", .procNetCounters),
  ]

  /// The tables read of each other network namespace, through /proc/<pid>/net of a process in
  /// it (`netns-<pid>-<file>`), by the one awk or, on a host without awk, the shell.
  static let netnsFiles = ["tcp", "tcp6", "udp", "udp6", "unix", "fib_trie"]

  /// True when `nonce` is 16 to 64 lowercase hex digits, the only form the script and parser accept.
  public static func isValidNonce(_ nonce: String) -> Bool {
    let bytes = Array(nonce.utf8)
    guard (16...64).contains(bytes.count) else { return false }
    return bytes.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
  }

  /// A fresh 128-bit nonce (32 hex digits) from `generator`.
  public static func makeNonce(using generator: inout some RandomNumberGenerator) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for _ in 0..<2 {
      var word = generator.next()
      for _ in 0..<16 {
        out.append(digits[Int(word & 0xf)])
        word >>= 4
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// A fresh 128-bit nonce from the system's random source.
  public static func makeNonce() -> String {
    var generator = SystemRandomNumberGenerator()
    return makeNonce(using: &generator)
  }

  /// The probe script for one scan. `nonce` must satisfy `isValidNonce`; `sectionCap` must be positive.
  public static func make(nonce: String, method: ProbeMethod, sectionCap: Int = defaultSectionCap) -> String {
    make(nonce: nonce, method: method, sectionCap: sectionCap, standardPath: standardPath)
  }

  /// The probe with another list of standard directories: tests use it to stand for a host
  /// whose standard directories hold only busybox.
  static func make(nonce: String, method: ProbeMethod, sectionCap: Int = defaultSectionCap, standardPath: String) -> String {
    prelude(nonce: nonce, sectionCap: sectionCap, standardPath: standardPath) + body(method: method)
  }

  /// What follows the prelude: the same text for every host of a scan with `method` (no nonce,
  /// no cap), so the controller makes it once per scan (see ProbeCommand in FleetPortsScan).
  /// `make(nonce:method:sectionCap:)` is `prelude(nonce:sectionCap:) + body(method:)`.
  public static func body(method: ProbeMethod) -> String {
    probeFunctions + main(method: method)
  }

  /// The directories the probe always looks in after the login's PATH.
  public static let standardPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

  /// The framing functions (`fp_init`, `fp_run`, …) without any section, with the host's nonce
  /// and the section cap (bytes) written in: the part of the script that differs per host. Tests
  /// build their own main on it.
  public static func prelude(nonce: String, sectionCap: Int, standardPath: String = standardPath) -> String {
    precondition(isValidNonce(nonce), "probe nonce must be 16-64 lowercase hex digits")
    precondition(sectionCap > 0 && sectionCap < 1 << 50, "probe section cap out of range")
    return #"""
      # fleetports probe, framing 1. Runs as `sh -s`, the script on its stdin (POSIX sh:
      # dash, bash, busybox ash). Everything runs inside fp_main, parsed whole before it starts
      # and run with stdin from /dev/null, so no command can eat the rest of the script and
      # a script cut short in transit runs nothing.

      fp_init() {
        LC_ALL=C
        export LC_ALL
        # The login files may have set any PATH (or none): the standard directories always
        # follow it, so ss, od and head are found wherever the system put them.
        PATH=${PATH:+$PATH:}\#(standardPath)
        export PATH
        # The markers also carry 32 hex digits made here, announced on the first line before
        # anything else is read: another user who names a socket or process after a marker
        # cannot know them. The kernel's random uuid, read by the shell's `read` (no process).
        fp_h=
        IFS=- read -r fp_a fp_b fp_c fp_d fp_e 2>/dev/null </proc/sys/kernel/random/uuid && fp_h=$fp_a$fp_b$fp_c$fp_d$fp_e
        case $fp_h in
          *[!0-9a-f]*) fp_h= ;;
        esac
        fp_n=\#(nonce)
        # The newline ends whatever the login shell printed without one (a prompt, `tput sgr0`,
        # a banner cut mid-line), so this first marker always starts a line of its own.
        printf '\n@@fp:%s:key %s@@\n' "$fp_n" "$fp_h"
        fp_n=$fp_n$fp_h
        fp_cap=\#(sectionCap)
        fp_cap1=\#(sectionCap + 1)
        fp_captool=
        exec 4>&1
      }

      # Whether `head -c` bounds the sections the shell runs itself (the tools of other methods,
      # other namespaces, the firewall): any head there (coreutils, busybox) takes -c.
      fp_capt() {
        [ -n "$fp_captool" ] && return
        if fp_has head; then fp_captool=head; else fp_captool=none; fi
      }

      fp_cut() {
        if [ "$fp_captool" = head ]; then head -c "$fp_cap1"; else cat; fi
      }

      # fp_run NAME COMMAND [ARG...]: one section holding COMMAND's stdout and stderr, at most
      # cap+1 bytes; a newline always precedes the end marker. Sets fp_rc.
      fp_run() {
        fp_name=$1
        shift
        fp_capt
        fp_begin "$fp_name"
        fp_rc=$( { { "$@" 2>&1 </dev/null 3>&- 4>&-; echo "$?" >&3; } | fp_cut 3>&- >&4; } 3>&1 )
        case $fp_rc in
          '' | *[!0-9]*) fp_rc='?' ;;
        esac
        fp_end "$fp_name"
      }

      # fp_read NAME FILE: a section holding FILE, read by `head -c` (the cap) without a
      # pipeline or subshell: kernel tables are most of the sections.
      fp_read() {
        fp_capt
        fp_begin "$1"
        if [ "$fp_captool" = head ]; then head -c "$fp_cap1" "$2" 2>&1; else cat "$2" 2>&1; fi
        fp_rc=$?
        fp_end "$1"
      }

      fp_begin() {
        printf '@@fp:%s:begin %s@@\n' "$fp_n" "$1"
      }

      # The end marker of section NAME with fp_rc; its leading newline is the one the parser drops.
      fp_end() {
        printf '\n@@fp:%s:end %s rc=%s cap=%s@@\n' "$fp_n" "$1" "$fp_rc" "$fp_cap"
      }

      # fp_line1 TEXT: TEXT's first line, without running head.
      fp_line1() {
        printf '%s' "${1%%
      *}"
      }

      fp_done() {
        printf '@@fp:%s:done@@\n' "$fp_n"
      }


      """#
  }

  static func main(method: ProbeMethod) -> String {
    #"""
    fp_main() {
      fp_init
      fp_want=\#(method.rawValue)
      fp_choose
      # The other network namespaces first (builtins until one is found): the identity
      # section then reads their owners (fp_pids) too, not only the host's.
      fp_ns
      if fp_has awk; then fp_all; else fp_plain; fi
      # The packet filter, as root only (the tools refuse others). /proc/1/environ is mode
      # 0400 root: `test -r` is a builtin, so a probe that is not root starts no process for
      # it, and the snapshot says the firewall is unknown (from meta's euid, not this test).
      [ -r /proc/1/environ ]&&fp_fw
      fp_done
    }

    fp_main </dev/null
    exit 0

    """#
  }
}
