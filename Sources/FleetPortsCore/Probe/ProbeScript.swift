/// Writes the probe: one POSIX sh script a host runs as `sh -s` that prints every section
/// fleetports needs, framed by markers that carry the scan's nonce.
///
/// It is written to cost the host little, since a fleet scan runs it everywhere at once: one
/// `ss -p` (each walks every process's file descriptors: the costliest step by far), kernel
/// tables read by `head -c` straight into the output, and metadata from shell builtins where
/// they do (about 25 processes in all).
///
/// Framing (read by `ProbeOutput.parse`), each marker on a line of its own. The first line
/// `@@fp:<nonce>:key <hex>@@` announces 16 hex digits the host made; every later marker
/// carries `<nonce><hex>` (written `<nonce>` below):
///
///     @@fp:<nonce>:begin <name>@@
///     <the command's stdout and stderr, at most cap+1 bytes>
///     @@fp:<nonce>:end <name> rc=<exit code> cap=<cap>@@
///
/// The script always writes one `\n` before the end marker (so it starts a line even when the
/// output does not end with one) and the parser removes exactly that byte. `head -c cap+1`
/// bounds a section; a body longer than `cap` after that means the output was cut, and the
/// parser keeps `cap` bytes and sets `truncated`. `rc=?` means the shell could not learn the
/// status (the command's subshell died, e.g. of SIGPIPE after truncation). After the last
/// section the script prints `@@fp:<nonce>:done@@` and exits 0.
///
/// Only the nonce, the cap and the method's fixed name are written into the script.
public enum ProbeScript {
  /// The default cap on one section's bytes.
  public static let defaultSectionCap = 16 << 20

  /// The /proc/net files every method reads, as section names and the format that parses them.
  public static let procNetSections: [(name: String, format: CaptureFormat)] = [
    ("proc-net-tcp", .procNetTCP), ("proc-net-tcp6", .procNetTCP6), ("proc-net-udp", .procNetUDP),
    ("proc-net-udp6", .procNetUDP6), ("proc-net-raw", .procNetRaw), ("proc-net-raw6", .procNetRaw6),
    ("proc-net-unix", .procNetUnix), ("proc-net-netstat", .procNetCounters), ("proc-net-snmp", .procNetCounters),
  ]

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
    prelude(nonce: nonce, sectionCap: sectionCap) + probeFunctions + main(method: method)
  }

  /// The framing functions (`fp_init`, `fp_run`, …) without any section: tests build their own main on it.
  static func prelude(nonce: String, sectionCap: Int) -> String {
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
        PATH=${PATH:-/usr/bin:/bin}:/usr/sbin:/sbin
        export PATH
        # The scan's nonce travels in the command line, which other users of the host can read
        # in /proc/<pid>/cmdline while the probe runs. The markers also carry 16 hex digits
        # made here, announced on the first line before anything else is read: another user
        # who names a socket or process after a marker cannot know them.
        fp_h=
        set -- $(od -An -tx1 -N8 /dev/urandom 2>/dev/null)
        [ "$#" = 8 ] && fp_h=$1$2$3$4$5$6$7$8
        case $fp_h in
          *[!0-9a-f]*) fp_h= ;;
        esac
        fp_n=\#(nonce)
        printf '@@fp:%s:key %s@@\n' "$fp_n" "$fp_h"
        fp_n=$fp_n$fp_h
        fp_cap=\#(sectionCap)
        fp_cap1=\#(sectionCap + 1)
        if [ "$(printf abc | head -c 2 2>/dev/null)" = ab ]; then fp_captool=head; else fp_captool=none; fi
        exec 4>&1
      }

      fp_cut() {
        if [ "$fp_captool" = head ]; then head -c "$fp_cap1"; else cat; fi
      }

      # fp_run NAME COMMAND [ARG...]: one section holding COMMAND's stdout and stderr, at most
      # cap+1 bytes; a newline always precedes the end marker. Sets fp_rc.
      fp_run() {
        fp_name=$1
        shift
        printf '@@fp:%s:begin %s@@\n' "$fp_n" "$fp_name"
        fp_rc=$( { { "$@" 2>&1 </dev/null 3>&- 4>&-; echo "$?" >&3; } | fp_cut 3>&- >&4; } 3>&1 )
        case $fp_rc in
          '' | *[!0-9]*) fp_rc='?' ;;
        esac
        printf '\n@@fp:%s:end %s rc=%s cap=%s@@\n' "$fp_n" "$fp_name" "$fp_rc" "$fp_cap"
      }

      # fp_read NAME FILE: a section holding FILE, read by `head -c` (the cap) without a
      # pipeline or subshell: kernel tables are most of the sections.
      fp_read() {
        printf '@@fp:%s:begin %s@@\n' "$fp_n" "$1"
        if [ "$fp_captool" = head ]; then head -c "$fp_cap1" "$2" 2>&1; else cat "$2" 2>&1; fi
        fp_rc=$?
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

  static let probeFunctions = #"""
    fp_has() {
      command -v "$1" >/dev/null 2>&1
    }

    # The flags this netstat accepts (busybox may lack -p (FEATURE_NETSTAT_PRG) and -W), found
    # by running the real listing: a flag it lacks fails at once, and the listing that works
    # is kept in fp_nsout for the netstat section, so `netstat -p` walks /proc only once.
    fp_netstat_flags() {
      fp_nsflags=
      fp_nskept=no
      fp_has netstat || return 0
      for fp_f in -tuanpW -tuanp -tuanW -tuan; do
        if fp_nsout=$(netstat "$fp_f" 2>&1 </dev/null); then
          fp_nsflags=$fp_f
          fp_nskept=yes
          return 0
        fi
      done
      fp_nsout=
      fp_nsflags=-tuan
    }

    # The netstat section: the listing fp_netstat_flags kept, or netstat's own error.
    fp_netstat() {
      if [ "$fp_nskept" = yes ]; then
        printf '%s\n' "$fp_nsout"
      else
        netstat "${fp_nsflags:--tuan}"
      fi
    }

    # auto: ss, else a netstat that takes -p, else lsof, else /proc/<pid>/fd.
    fp_choose() {
      fp_method=$fp_want
      fp_nsflags=
      case $fp_method in
        netstat) fp_netstat_flags ;;
        auto)
          if fp_has ss; then
            fp_method=ss
          else
            fp_netstat_flags
            case $fp_nsflags in
              *p*) fp_method=netstat ;;
              *)
                if fp_has lsof; then fp_method=lsof; else fp_method=proc; fi
                ;;
            esac
          fi
          ;;
      esac
    }

    fp_kv() {
      printf '%s=%s\n' "$1" "$2"
    }

    fp_first_line() {
      fp_l=
      if [ -r "$1" ]; then
        IFS= read -r fp_l <"$1" || true
      fi
      printf '%s' "$fp_l"
    }

    fp_os_release() {
      fp_f=/etc/os-release
      [ -r "$fp_f" ] || fp_f=/usr/lib/os-release
      [ -r "$fp_f" ] || return 0
      while IFS= read -r fp_l || [ -n "$fp_l" ]; do
        case $fp_l in
          ID=*) fp_kv os-id "${fp_l#ID=}" ;;
          VERSION_ID=*) fp_kv os-version-id "${fp_l#VERSION_ID=}" ;;
          PRETTY_NAME=*) fp_kv os-pretty-name "${fp_l#PRETTY_NAME=}" ;;
        esac
        fp_l=
      done <"$fp_f"
    }

    # /proc/net addresses are in host byte order: read two bytes 01 00 as one 16-bit number.
    fp_byte_order() {
      case $(printf '\001\000' | od -An -tu2 2>/dev/null) in
        *256*) echo big ;;
        *1*) echo little ;;
      esac
    }

    fp_tool() {
      fp_p=$(command -v "$1" 2>/dev/null) || fp_p=
      fp_kv "$1-path" "$fp_p"
      [ -n "$fp_p" ]
    }

    # `id` once, parsed: "uid=1000(fp) gid=... [euid=0(root)]" (euid only when it differs).
    fp_ids() {
      fp_id=$(id 2>/dev/null)
      fp_ruid=${fp_id#uid=}
      fp_ruid=${fp_ruid%%[!0-9]*}
      case $fp_id in
        *" euid="*) fp_e=${fp_id#*" euid="} ;;
        *) fp_e=${fp_id#uid=} ;;
      esac
      fp_euid=${fp_e%%[!0-9]*}
      # the name only when "(" follows the digits: a uid without a passwd entry has none,
      # and the next "(" would be the group's
      fp_uname=${fp_e#"$fp_euid"}
      case $fp_uname in
        '('*) fp_uname=${fp_uname#'('} && fp_uname=${fp_uname%%')'*} ;;
        *) fp_uname= ;;
      esac
      fp_kv uid "$fp_ruid"
      fp_kv euid "$fp_euid"
      fp_kv user "$fp_uname"
    }

    fp_meta() {
      fp_kv probe 1
      fp_kv method "$fp_method"
      fp_kv method-requested "$fp_want"
      fp_kv section-cap "$fp_cap"
      fp_kv cap-tool "$fp_captool"
      # node name, release and machine hold no spaces (nor globs, with -f)
      set -f
      set -- $(uname -n -r -m)
      set +f
      fp_kv hostname "$1"
      fp_kv kernel "$2"
      fp_kv machine "$3"
      fp_ids
      fp_kv machine-id "$(fp_first_line /etc/machine-id)"
      fp_kv boot-id "$(fp_first_line /proc/sys/kernel/random/boot_id)"
      fp_os_release
      fp_kv byte-order "$(fp_byte_order)"
      fp_kv shell "$(readlink /proc/$$/exe 2>/dev/null)"
      fp_kv time "$(date -u +%s)"
      if fp_tool ss; then
        fp_kv ss-version "$(fp_line1 "$(ss -V 2>&1)")"
      fi
      if fp_tool netstat; then
        fp_kv netstat-version "$(fp_netstat_version)"
        fp_kv netstat-flags "$fp_nsflags"
      fi
      if fp_tool lsof; then
        fp_kv lsof-version "$(fp_lsof_version)"
      fi
      fp_tool ip || true
    }

    # The first line of `netstat --version` that is not a complaint about the flag (busybox).
    fp_netstat_version() {
      netstat --version 2>&1 | while IFS= read -r fp_l; do
        case $fp_l in
          *[Uu]nrecognized* | *[Ii]nvalid* | *[Ii]llegal* | *[Uu]sage*) ;;
          *) printf '%s' "$fp_l" && break ;;
        esac
      done
    }

    # lsof -v prints "    revision: 4.95.0" among other lines.
    fp_lsof_version() {
      lsof -v 2>&1 | while IFS= read -r fp_l; do
        case $fp_l in
          *revision:*) fp_l=${fp_l#*revision:} && printf '%s' "${fp_l#"${fp_l%%[![:space:]]*}"}" && break ;;
        esac
      done
    }

    # One ss for TCP, UDP and Unix sockets (every `ss -p` walks all processes' descriptors),
    # keeping Unix listeners only: a busy host has thousands of connected Unix sockets. The
    # status is ss's, carried past the filter on fd 5.
    fp_ss() {
      if ! fp_has awk; then
        ss -tuaxnp
        return
      fi
      { fp_ssrc=$( { { ss -tuaxnp 2>&1 5>&- 6>&-; echo "$?" >&5; } |
        awk '!/^u_/ || $2 ~ /^(LISTEN|UNCONN)$/' 5>&- >&6; } 5>&1 ); } 6>&1
      case $fp_ssrc in
        '' | *[!0-9]*) return 1 ;;
      esac
      return "$fp_ssrc"
    }

    # "pid inode comm" for every socket among /proc/<pid>/fd/*: one glob, one xargs stat, one
    # sed, and a shell loop over the sockets only. stat errors (a process gone mid-scan, or one
    # not ours to inspect) become one summary line "# stat errors: N, first: MESSAGE".
    fp_proc_fd() {
      set -- /proc/[0-9]*/fd/[0-9]*
      if [ "$1" = '/proc/[0-9]*/fd/[0-9]*' ]; then
        echo '# no readable /proc/<pid>/fd entries'
        return 0
      fi
      printf '%s\n' "$@" | xargs stat -L -c '%F %i %n' 2>&1 |
        sed -n -e 's|^socket \([0-9][0-9]*\) /proc/\([0-9][0-9]*\)/fd/[0-9][0-9]*$|\2 \1|p' \
          -e '/^[0-9][0-9]* [0-9][0-9]*$/d' -e '/ \/proc\/[0-9][0-9]*\/fd\/[0-9][0-9]*$/d' -e 's/^/! /p' |
        fp_add_comm
    }

    fp_add_comm() {
      fp_last=
      fp_comm=
      fp_errors=0
      fp_error1=
      while read -r fp_pid fp_ino; do
        if [ "$fp_pid" = '!' ]; then
          fp_errors=$((fp_errors + 1))
          [ -n "$fp_error1" ] || fp_error1=$fp_ino
          continue
        fi
        if [ "$fp_pid" != "$fp_last" ]; then
          fp_comm=
          { IFS= read -r fp_comm <"/proc/$fp_pid/comm"; } 2>/dev/null
          fp_last=$fp_pid
        fi
        printf '%s %s %s\n' "$fp_pid" "$fp_ino" "$fp_comm"
      done
      if [ "$fp_errors" != 0 ]; then
        printf '# stat errors: %s, first: %s\n' "$fp_errors" "$fp_error1"
      fi
    }

    # File modes of listening Unix socket paths (Flags 00010000 = __SO_ACCEPTCON).
    fp_unix_modes() {
      if [ ! -r /proc/net/unix ]; then
        echo 'cannot read /proc/net/unix'
        return 1
      fi
      set --
      while read -r fp_a fp_b fp_c fp_flags fp_d fp_e fp_f fp_path; do
        [ "$fp_flags" = 00010000 ] || continue
        case $fp_path in
          /*) set -- "$@" "$fp_path" ;;
        esac
      done </proc/net/unix
      [ "$#" -gt 0 ] || return 0
      if stat -c %a / >/dev/null 2>&1; then
        stat -c '%a %U %G %n' -- "$@"
      else
        ls -ld -- "$@"
      fi
    }


    """#

  static func main(method: ProbeMethod) -> String {
    #"""
      fp_main() {
        fp_init
        fp_want=\#(method.rawValue)
        fp_choose
        fp_run meta fp_meta
        fp_rc=127
        if fp_has ip; then
          fp_run addresses-ip ip -o addr show
        fi
        if [ "$fp_rc" != 0 ]; then
          fp_read addresses-if-inet6 /proc/net/if_inet6
          fp_read addresses-fib-trie /proc/net/fib_trie
        fi
        for fp_x in tcp tcp6 udp udp6 raw raw6 unix netstat snmp; do
          fp_read "proc-net-$fp_x" "/proc/net/$fp_x"
        done
        case $fp_method in
          ss) fp_run ss fp_ss ;;
          netstat) fp_run netstat fp_netstat ;;
          lsof) fp_run lsof lsof -nP -i -F0pcuLftPnTi ;;
          proc) fp_run proc-fd fp_proc_fd ;;
        esac
        fp_run unix-modes fp_unix_modes
        fp_done
      }

      fp_main </dev/null
      exit 0

      """#
  }
}
