/// The probe's shell functions between the framing (`prelude`) and `main`: tool detection,
/// metadata, the one `ss`, netstat's flags, /proc/<pid>/fd attribution and Unix socket modes.
extension ProbeScript {
  /// Everything between the prelude and `main`: these functions and the identity section's.
  static var probeFunctions: String { shellFunctions + identityFunctions }

  static let shellFunctions = #"""
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
      fp_tool ss || true
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

    # "pid inode comm" for every socket among /proc/<pid>/fd/* (of the pids given, else of all):
    # one glob, one xargs stat, one sed, and a shell loop over the sockets only. stat errors (a
    # process gone mid-scan, or one not ours to inspect) become one summary line
    # "# stat errors: N, first: MESSAGE".
    fp_proc_fd() {
      fp_g='/proc/[0-9]*/fd/[0-9]*'
      [ $# = 0 ]||fp_g=$(printf '/proc/%s/fd/[0-9]* ' "$@")
      set -- $fp_g
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



    # Network namespaces other than ours (ProbeNetns): `[ -ef ]` (a builtin) against ours and
    # each one found so far (at most 16, read through their first pid, kept in fp_nsr). Prints
    # `pid P R` for at most 256 pids P outside ours (R: their namespace's reader), with P's
    # cgroup lines (`cg P LINE`) and /etc/hostname (`host P NAME`); `proxy P ARGV` per
    # docker-proxy in ours; `hidden N M` (pids we may not inspect, namespaces past the cap);
    # `ns INODE /proc/P/ns/net` for ours ($$) and each reader.
    fp_netns() {
      fp_nsr= fp_pids= fp_np=0 fp_nn=0 fp_hid=0 fp_skip=0 fp_our= fp_me=/proc/$$/ns/net fp_every=
      # Whether we may inspect every process (root: /proc/1/environ is 0400), asked once.
      [ -r /proc/1/environ ]&&fp_every=1
      # The glob names the pids only (one readdir): a glob of /proc/[0-9]*/ns/net would look
      # each link up once more before the tests below.
      for fp_p in /proc/[0-9]*;do
        fp_p=${fp_p#/proc/} fp_f=/proc/$fp_p/ns/net
        if [ "$fp_f" -ef $fp_me ];then
          fp_our="$fp_our $fp_p"
          continue
        fi
        # Not followable: hidden from us (not root), or gone/a zombie meanwhile (no sockets lost).
        [ -e "$fp_f" ]||{ [ -z "$fp_every" ]&&[ -d /proc/$fp_p ]&&fp_hid=$((fp_hid+1));continue;}
        fp_r=
        for fp_x in $fp_nsr;do [ "$fp_f" -ef /proc/$fp_x/ns/net ]&&fp_r=$fp_x&&break;done
        if [ -z "$fp_r" ];then
          [ $fp_nn -lt 16 ]||{ fp_skip=$((fp_skip+1));continue;}
          fp_nn=$((fp_nn+1)) fp_nsr="$fp_nsr $fp_p" fp_r=$fp_p
        fi
        [ $fp_np -lt 256 ]||continue
        fp_np=$((fp_np+1)) fp_pids="$fp_pids $fp_p"
        echo "pid $fp_p $fp_r"
        # printf, not echo: dash's echo expands backslashes a container could put in these lines.
        while IFS= read -r fp_l;do printf 'cg %s %s\n' $fp_p "$fp_l";done 2>/dev/null </proc/$fp_p/cgroup
        # Not through a symlink: /proc/P/root resolves an absolute link against our root, so a
        # container's etc/hostname -> /etc/shadow would read the host's file.
        [ -L /proc/$fp_p/root/etc ]||[ -L /proc/$fp_p/root/etc/hostname ]||
          { IFS= read -r fp_l </proc/$fp_p/root/etc/hostname&&printf 'host %s %s\n' $fp_p "$fp_l";} 2>/dev/null
      done
      # docker-proxy publishes a container's port from our namespace: looked for (each comm read
      # by dash a byte a syscall) only where containers can be, namespaces found or hidden from
      # us. It runs as root: any user can name a process so (comm), not run it as root.
      [ -z "$fp_nsr" ]&&[ $fp_hid = 0 ]||for fp_p in $fp_our;do
        { read -r fp_c </proc/$fp_p/comm;} 2>/dev/null&&[ "$fp_c" = docker-proxy ]&&fp_uid0 $fp_p&&
          printf 'proxy %s %s\n' $fp_p "$(tr '\0' ' ' 2>/dev/null </proc/$fp_p/cmdline)"
      done
      echo "hidden $fp_hid $fp_skip"
      [ -z "$fp_nsr" ]||stat -L -c 'ns %i %n' /proc/$$/ns/net $(printf '/proc/%s/ns/net ' $fp_nsr) 2>/dev/null
      return 0
    }

    # fp_uid0 PID: true when the process's real uid is 0 (/proc/PID/status, builtins only).
    fp_uid0() {
      while read -r fp_k fp_u fp_v;do [ "$fp_k" = Uid: ]&&{ [ "$fp_u" = 0 ];return;};done 2>/dev/null </proc/$1/status
      return 1
    }

    # Each other namespace's tables, through its reader pid (no nsenter: /proc/P/net is P's
    # namespace), read by the one awk with every other table (its `R`) or, on a host without
    # awk, here; then the owners of their sockets among the pids found there.
    fp_ns() {
      fp_begin netns;fp_netns;fp_rc=$?;fp_end netns
      fp_has awk||for fp_x in $fp_nsr;do
        for fp_t in \#(netnsFiles.joined(separator: " "));do fp_read netns-$fp_x-$fp_t /proc/$fp_x/net/$fp_t;done
      done
      [ -z "$fp_pids" ]||fp_run netns-fd fp_proc_fd $fp_pids
    }

    # The packet filter (root only), read only where rules can be: nft when nf_tables is in the
    # kernel (/sys/module/nf_tables, or no nf_tables module to load: built in, or no
    # /lib/modules to tell), the legacy tools when their tables list
    # (/proc/net/ip[6]_tables_names) has a line; else a section fw-none says what was checked.
    # iptables-nft-save per family only where nft's JSON shows an `xt` expression (a match or
    # target nft prints bare, which iptables-nft-save prints in full) or nft did not answer;
    # then the legacy tables by iptables-legacy-save, or on a host without iptables-nft-save
    # the plain iptables-save (legacy there). A tool missing there fails its section (rc 127):
    # the firewall is then unknown, not guessed.
    # fp_r TOOL ARG...: a section fw-TOOL, the output held in fp_o (no `head` unless it passes
    # the cap: the shell's length is in bytes under LC_ALL=C), fp_rc its status.
    fp_r() {
      fp_o=$("$@" 2>&1 </dev/null 3>&- 4>&-)
      fp_rc=$?
      fp_begin fw-$1
      if [ ${#fp_o} -gt $fp_cap ];then fp_capt;printf '%s\n' "$fp_o"|fp_cut;elif [ -n "$fp_o" ];then printf '%s\n' "$fp_o";fi
      fp_end fw-$1
      fp_fwn=$((fp_fwn+1))
    }
    fp_fw() {
      fp_fwn=0 fp_nft=yes fp_xt=yes
      if [ ! -d /sys/module/nf_tables ];then
        read -r fp_l 2>/dev/null </proc/sys/kernel/osrelease
        set -- /lib/modules/$fp_l/kernel/net/netfilter/nf_tables.ko*
        [ -e "$1" ]&&fp_nft=no
      fi
      if [ $fp_nft = yes ]&&fp_has nft;then
        fp_r nft -j list ruleset
        [ $fp_rc != 0 ]||case $fp_o in *'"xt"'*) ;; *) fp_xt=no;; esac
      fi
      fp_o=
      for fp_t in iptables ip6tables;do
        fp_s=save
        fp_has $fp_t-nft-save&&fp_s=legacy-save&&[ $fp_nft$fp_xt = yesyes ]&&fp_r $fp_t-nft-save
        read fp_l 2>/dev/null </proc/net/${fp_t%tables}_tables_names&&fp_r $fp_t-$fp_s
      done
      fp_o=
      [ $fp_fwn != 0 ]||{ fp_begin fw-none;echo "nf_tables $fp_nft, no legacy tables";fp_rc=0;fp_end fw-none;}
    }

    """#
}
