/// The probe's one awk (`fp_all`): it reads every kernel table and metadata file, writes their
/// sections itself (enforcing the cap), filters the attribution tool's output and reads the
/// identities of the processes it names; one `stat` then reads the paths awk handed back.
///
/// On a host with `ss` this is the whole probe: `ss -tuaxnpe` piped into awk (its status after
/// it on a line `@@fp:<nonce>:rc N`, which no host text can forge), then one `stat`: with the
/// shell and sshd's login shell, five programs. ss's netlink dump then stands for
/// /proc/net/tcp and tcp6, which awk does not read (each read costs the kernel a walk of the
/// machine-wide established hash) unless ss failed or its output could have been forged
/// (`ssTrustAwk`; `SSTCPTable` maps ss's lines to what /proc/net would have shown), or ss ran
/// without -e because the host's cgroups would cost it more (`fp_ssflags`). Other methods run
/// their tool as a section of
/// the shell's (`fp_keep` keeps its output in a file of the probe's, which awk reads the pids
/// from). Sections awk writes, in order:
///
///     netns-<pid>-<table>   each other network namespace's tcp, tcp6, udp, udp6, unix and
///                           fib_trie, through /proc/<pid>/net of its reader (`fp_netns`)
///     meta                  key=value lines (ProbeMeta): hostname and kernel from
///                           /proc/sys/kernel, uids from /proc/self/status and names from
///                           /etc/passwd, byte order from the ELF header of /proc/self/exe
///     addresses-if-inet6    /proc/net/if_inet6 as it is
///     addresses-ipv4        `0: IFACE inet A/P` (the `ip -o addr` shape): each LOCAL /32 of
///                           /proc/net/fib_trie, named and sized by the longest connected route
///                           of /proc/net/route that holds it, else by a LOCAL range (`lo`),
///                           else `?` and /32
///     proc-net-*            /proc/net/tcp … snmp as they are (method ss: tcp and tcp6 only
///                           after tcp-source, and only when it names proc-net)
///     ss                    (method ss) ss's lines without connected Unix sockets
///     tcp-source            (method ss) `ss`, `proc-net <reason>` (`ssTrustAwk`), or
///                           `proc-net-cheaper <why>`: ss ran without -e because walking
///                           the host's cgroups would cost more than the tables (`fp_ssflags`)
///     proc-ids              the identities, one `key value` line each (below)
///
/// `proc-ids` names the processes the attribution tool named (ss `pid=N`, netstat `N/name`,
/// lsof `pN`, proc-fd's first field where the inode is an IP socket or a Unix listener in
/// /proc/net: every owner of what the tool lists) and those of other network namespaces
/// (`fp_pids`), each once (values escaped: bytes outside printable ASCII and `\` as `\ooo`):
///
///     btime 1700000000            boot time, epoch seconds (/proc/stat)
///     hz 100                      clock ticks a second: awk's own start (/proc/self/stat
///                                 field 22) over /proc/uptime, rounded to a USER_HZ value
///     ephemeral 32768<TAB>60999   /proc/sys/net/ipv4/ip_local_port_range
///     pid 812                     starts one process's lines
///     comm postgres               /proc/812/stat field 2
///     ppid 1 / pcomm systemd      the parent and its /proc/<ppid>/comm
///     start 4242                  field 22 of stat: ticks after boot
///     uid 0 113                   real and effective uid (status `Uid:`)
///     cgroup 0::/system.slice/postgresql.service   each /proc/812/cgroup line
///     arg /usr/lib/postgresql/15/bin/postgres      each argv element, 4,096 bytes in all;
///     argcut                      then this line if there was more
///     user 113 postgres           names of the uids seen, from the host's /etc/passwd
///
/// The `stat` section (`StatSection`) is one `stat -c '%a %U %G %N'` (QUOTING_STYLE=escape)
/// of the shell's /proc/$$/exe, each listening Unix socket's path and each named process's
/// /proc/P/exe and /proc/P/ns/net: awk writes them on fd 3 after a line `c` when their
/// output could pass the cap (each name escaped at most 4 bytes a byte, each link's target
/// at most PATH_MAX so), and the shell then bounds it by `head -c`, else `-`. awk reads every file with `getline` (RS set to NUL for
/// whole files and argv), so a comm or argument holding a newline stays one value; busybox
/// awk stops at a NUL, so there each argv has its first element only.
extension ProbeScript {
  static let identityFunctions = #"""
    # fp_which TOOL: its path in PATH (fp_p, empty if none), by builtins only.
    fp_which() {
      fp_p=
      fp_o=$IFS
      IFS=:
      set -f
      for fp_d in $PATH; do
        [ -f "$fp_d/$1" ] && [ -x "$fp_d/$1" ] && fp_p=$fp_d/$1 && break
      done
      set +f
      IFS=$fp_o
    }

    # The meta lines the shell knows (tool paths; the method's tool version), for awk.
    fp_tools() {
      fp_tm=
      for fp_x in ss netstat lsof ip; do
        fp_which $fp_x
        fp_tm="$fp_tm$fp_x-path=$fp_p;"
      done
      case $fp_method in
        netstat) fp_has netstat && fp_tm="${fp_tm}netstat-version=$(fp_netstat_version);netstat-flags=$fp_nsflags;" ;;
        lsof) fp_has lsof && fp_tm="${fp_tm}lsof-version=$(fp_lsof_version);" ;;
      esac
    }

    # ss -e (its inodes and uids make its dump the TCP table) names each inet socket's cgroup
    # after walking the whole cgroup2 hierarchy once (nftw stats every file of every cgroup: about
    # 40 us a cgroup, 90 ms on a Kubernetes node's 2,000); /proc/net/tcp and tcp6 instead each
    # walk the established hash (about 17 ns a bucket, 4.5 ms for 262,144). Whichever costs the
    # host less: -e unless the cgroups (cgroup.stat at ss's usual mounts) times 1,250 pass the
    # buckets, sized as tcp_init sizes them: the power of two at or above MemTotal/128 kB, at most
    # 524,288 (tcp_ehash_entries itself cannot be read without a program: dash reads a byte a
    # syscall, and /proc/sys's integers answer only a read at offset 0). Sets fp_sse (ss's flags)
    # and fp_ssx (why the tables are read instead; empty with -e).
    fp_ssflags() {
      fp_sse=-tuaxnpe fp_ssx= fp_cg= fp_b=
      for fp_f in /sys/fs/cgroup/cgroup.stat /sys/fs/cgroup/unified/cgroup.stat; do
        { read -r fp_k fp_cg <$fp_f; } 2>/dev/null && [ "$fp_k" = nr_descendants ] && break
        fp_cg=
      done
      case $fp_cg in '' | *[!0-9]*) return 0 ;; esac
      { read -r fp_k fp_m fp_u </proc/meminfo; } 2>/dev/null
      case $fp_k$fp_m in MemTotal:[0-9]*) ;; *) return 0 ;; esac
      case $fp_m in *[!0-9]*) return 0 ;; esac
      fp_b=1
      while [ $fp_b -lt $((fp_m / 128)) ] && [ $fp_b -lt 524288 ]; do fp_b=$((fp_b * 2)); done
      [ $(((fp_cg + 1) * 1250)) -lt $fp_b ] && return 0
      fp_sse=-tuaxnp fp_ssx="$fp_cg cgroups for ss -e to walk, $fp_b established-hash buckets"
    }

    fp_keep() {
      if [ -n "$fp_kept" ]; then
        "$@" >"$fp_kept" 2>&1
        fp_k=$?
        cat "$fp_kept"
        return $fp_k
      fi
      "$@"
    }

    # Everything through one awk (see the comment of ProbeScript+Identity.swift); the paths it
    # writes on fd 3 go to one stat.
    fp_all() {
      fp_tools
      fp_kept=
      if [ "$fp_method" = ss ]; then
        fp_ssflags
        fp_l=$( { ss $fp_sse 2>&1 </dev/null 3>&- 4>&-; echo "@@fp:$fp_n:rc $?"; } | fp_awk 3>&1 >&4)
      else
        fp_kept=$(mktemp 2>/dev/null) || fp_kept=
        case $fp_method in
          netstat) fp_run \#(ProbeSectionName.netstat) fp_keep fp_netstat ;;
          lsof) fp_run \#(ProbeSectionName.lsof) fp_keep lsof -nP -i -F0pcuLftPnTi ;;
          proc) fp_run \#(ProbeSectionName.procFD) fp_keep fp_proc_fd ;;
        esac
        fp_l=$(fp_awk </dev/null 3>&1 >&4)
        [ -z "$fp_kept" ] || rm -f "$fp_kept"
      fi
      # An IPv4 address no connected route explains (a /32 with a gateway host route, as cloud
      # VMs get; noprefixroute; policy routing) has no interface in /proc: `ip` names it, on
      # those hosts only, and its section is then the one the addresses come from.
      case $fp_l in
        ip?*) fp_l=${fp_l#ip?}; fp_has ip && fp_run \#(ProbeSectionName.addressesIP) ip -o addr show ;;
      esac
      fp_stat "$fp_l"
    }

    fp_awk() {
      # The marker secret goes in the environment (/proc/P/environ is the owner's alone), never
      # in an argument: /proc/P/cmdline is world-readable while awk runs.
      fpn=$fp_n fp_tm=$fp_tm awk -v fpc="$fp_cap" -v m="$fp_method" -v w="$fp_want" -v P="$fp_pids" -v R="$fp_nsr" -v kf="$fp_kept" -v xe="$fp_ssx" '
    \#(oneAwk)'
    }

    # stat's complaints (a process gone, a link not ours to read) would land mid-line: dropped.
    fp_st() {
      QUOTING_STYLE=escape stat -c '%a %U %G %N' -- "$@" 2>/dev/null
    }

    # One stat of the shell's own executable (first: busybox quotes a link's name and GNU does
    # not, which tells the parser how the other names are written) and the paths awk gave
    # after its first line, `c` when their output could pass the cap (then `head -c` bounds
    # it), else `-`.
    fp_stat() {
      set -f
      fp_o=$IFS
      IFS='
    '
      set -- $1
      IFS=$fp_o
      set +f
      fp_f=$1
      [ $# = 0 ] || shift
      if [ "$fp_f" = c ]; then
        fp_run \#(ProbeSectionName.stat) fp_st /proc/$$/exe "$@"
      else
        fp_begin \#(ProbeSectionName.stat)
        fp_st /proc/$$/exe "$@"
        fp_rc=$?
        fp_end \#(ProbeSectionName.stat)
      fi
    }

    # No awk on the host: the shell's own sections, without identities.
    fp_plain() {
      fp_run \#(ProbeSectionName.meta) fp_meta
      fp_rc=127
      if fp_has ip; then
        fp_run \#(ProbeSectionName.addressesIP) ip -o addr show
      fi
      if [ "$fp_rc" != 0 ]; then
        fp_read \#(ProbeSectionName.addressesIfInet6) /proc/net/if_inet6
        fp_read \#(ProbeSectionName.addressesFibTrie) /proc/net/fib_trie
      fi
      for fp_x in \#(procNetFiles.map(\.file).joined(separator: " ")); do
        fp_read "\#(ProbeSectionName.procNetPrefix)$fp_x" "/proc/net/$fp_x"
      done
      case $fp_method in
        ss) fp_run \#(ProbeSectionName.ss) ss -tuaxnp ;;
        netstat) fp_run \#(ProbeSectionName.netstat) fp_netstat ;;
        lsof) fp_run \#(ProbeSectionName.lsof) lsof -nP -i -F0pcuLftPnTi ;;
        proc) fp_run \#(ProbeSectionName.procFD) fp_proc_fd ;;
      esac
      fp_run \#(ProbeSectionName.unixModes) fp_unix_modes
    }

    """#

  /// The sections' framing in awk: B begins, W writes one line (cut at cap+1 bytes, as `head -c`
  /// would), E ends with a status, F copies a file into a section of its own. No `^`: busybox
  /// awk built without its math library (Debian's) refuses it.
  static let framingAwk = #"""
    function B(s){printf "@@fp:%s:begin %s@@\n",fpn,s;fo=0;ft=0}
    function W(x){if(ft)return;x=x "\n";if(fo+length(x)>fpc+1){printf "%s",substr(x,1,fpc+1-fo);ft=1;return};printf "%s",x;fo+=length(x)}
    function E(s,rc){printf "\n@@fp:%s:end %s rc=%s cap=%s@@\n",fpn,s,rc,fpc}
    function V(k,v){W(k "=" v)}
    function L(f,l){l="";getline l<f;close(f);return l}
    function F(s,f,l,r,x,p,i){B(s);while((r=(getline l<f))>0){W(l)
    if(s=="proc-net-unix"){split(l,x," ");if(x[4]!="00010000")continue;K[x[7]];p=l;for(i=1;i<=7;i++)sub(/^[ \t]*[^ \t]+[ \t]+/,"",p);sub(/[ \t]+$/,"",p);if(p~/^\//)U[++nu]=p}
    else if(m=="proc"&&s~/^proc-net-(tcp|udp|raw)/){split(l,x," ");K[x[10]]}}
    close(f);if(r<0){W("awk: cannot open " f);E(s,1)}else E(s,0)}
    """#

  /// meta and the addresses (see the type's comment); H reads a /proc/net/route hex word.
  static let metaAwk = #"""
    function H(h,i,v){v=0;for(i=1;i<=8;i++)v=v*16+index("0123456789ABCDEF",toupper(substr(h,i,1)))-1
    if(bo=="little")v=(v%256)*16777216+(int(v/256)%256)*65536+(int(v/65536)%256)*256+int(v/16777216);return v}
    function D(a,y){split(a,y,".");return y[1]*16777216+y[2]*65536+y[3]*256+y[4]}
    function meta(l,x,f,r,n,i){B("meta");V("probe",1);V("method",m);V("method-requested",w);V("section-cap",fpc);V("cap-tool","awk")
    V("hostname",L("/proc/sys/kernel/hostname"));V("kernel",L("/proc/sys/kernel/osrelease"));l=L("/proc/sys/kernel/arch");if(l!="")V("machine",l)
    while((getline l<"/proc/self/status")>0)if(l~/^Uid:/){split(l,x," ");ru=x[2];eu=x[3]};close("/proc/self/status")
    while((getline l<"/etc/passwd")>0){split(l,x,":");u[x[3]]=x[1];if(!(x[3] in u1))u1[x[3]]=x[1]};close("/etc/passwd")
    V("uid",ru);V("euid",eu);V("user",(eu in u1)?u1[eu]:"")
    V("machine-id",L("/etc/machine-id"));V("boot-id",L("/proc/sys/kernel/random/boot_id"))
    f="/etc/os-release";r=(getline l<f);if(r<0){f="/usr/lib/os-release";r=(getline l<f)}
    while(r>0){if(l~/^ID=/)V("os-id",substr(l,4));if(l~/^VERSION_ID=/)V("os-version-id",substr(l,12));if(l~/^PRETTY_NAME=/)V("os-pretty-name",substr(l,13));r=(getline l<f)};close(f)
    l=L("/proc/self/exe");l=substr(l,6,1);bo=(l==sprintf("%c",1))?"little":((l==sprintf("%c",2))?"big":"");V("byte-order",bo)
    n=split(ENVIRON["fp_tm"],x,";");for(i=1;i<=n;i++)if(x[i]!="")W(x[i]);E("meta",0)}
    function addresses(l,x,a,t,n,nr,nl,i,j,b,bi,dv,A,Q,RD,RM,RI,LR,LP,rc,r){F("addresses-if-inet6","/proc/net/if_inet6")
    B("addresses-ipv4");rc=0;while((getline l<"/proc/net/route")>0){split(l,x," ");if(x[3]!="00000000"||x[2]!~/^[0-9A-Fa-f]+$/)continue
    a=H(x[8]);for(j=0;j<=32;j++)if(a==4294967296-P2[32-j])break;if(j>32||j==0)continue;nr++;RD[nr]=H(x[2]);RM[nr]=j;RI[nr]=x[1]};close("/proc/net/route")
    while((r=(getline l<"/proc/net/fib_trie"))>0){if(l~/\|-- /){t=l;sub(/.*\|-- /,"",t);sub(/[ \t]+$/,"",t);continue}
    if(l!~/ host LOCAL/||t=="")continue;x[1]=l;sub(/^[ \t]*\//,"",x[1]);sub(/ .*/,"",x[1])
    if(x[1]==32){if(!(t in A)){A[t];Q[++n]=t}}else{nl++;LR[nl]=D(t);LP[nl]=x[1]}}
    if(r<0){W("awk: cannot open /proc/net/fib_trie");rc=1};close("/proc/net/fib_trie")
    for(i=1;i<=n;i++){a=D(Q[i]);b=-1;bi="?"
    for(j=1;j<=nr;j++){dv=P2[32-RM[j]];if(RM[j]>b&&int(a/dv)==int(RD[j]/dv)){b=RM[j];bi=RI[j]}}
    if(b<0)for(j=1;j<=nl;j++){dv=P2[32-LP[j]];if(LP[j]>b&&int(a/dv)==int(LR[j]/dv)){b=LP[j];bi="lo"}}
    if(bi=="?")aq=1;W("0: " bi " inet " Q[i] "/" (b<0?32:b))}
    E("addresses-ipv4",rc)}
    """#

  /// Whether ss's TCP lines can stand for /proc/net/tcp and tcp6 (see the type's comment): S
  /// reads each line of ss's output and sets `sb` to the first reason not to (sh: the header
  /// came); it returns 1 for ss's own complaints, which the section leaves out. ss prints the Unix sockets before UDP and TCP, and a Unix socket's path may hold
  /// newlines (ss prints it raw), so a local user could bind one whose path forges TCP lines:
  /// such lines sit among the Unix ones, and the last of them carries the path's trailer
  /// (` <inode> * <peer inode>`, a bare number or `*` after the peer column). So a Unix line
  /// after a TCP or UDP one, a netid other than tcp or udp there, a line whose queues and
  /// endpoints are not ss's, a bare number or `*` after the peer column, or (with -e, which
  /// prints it) a wildcard `*` bind without ss's `v6only:` (ss before 4.x printed `*` for IPv4
  /// wildcards too) each send the probe back to /proc/net/tcp*; so do a TCP or UDP line whose state or endpoints are not
  /// ss's own words (a comm holding a newline splits a line: comm is printed raw before
  /// iproute2 7.0), tokens after the cgroup path other than `v6only:` and the shutdown marker
  /// (the path is printed raw and a user may name a cgroup with spaces: `SSParser.readTail`
  /// reads nothing after it either), and no TCP line at all (a dump that failed quietly: the
  /// probe's own SSH connection is one). The reasons name a line number only, never its text;
  /// a distrust is said even where ss ran without -e (`proc-net <reason>` wins over
  /// `proc-net-cheaper`), so the host's problems name a forgery whichever route was chosen. ss's
  /// own complaints on stderr about naming cgroups are not: `Failed to open cgroup2 by ID`
  /// (without root, a socket whose cgroup its walk of the hierarchy did not meet), `Failed to
  /// find cgroup2 mount` (no cgroup v2 mounted) and `Failed to open cgroup2 mount` (its mount
  /// hidden under another).
  static let ssTrustAwk = #"""
    function S(i,t,n,a){if($0~/^Failed to (open cgroup2 by ID|open cgroup2 mount|find cgroup2 mount)$/)return 1;if(sb!="")return;if(!sh){if($1=="Netid"){sh=1;return};sb="line " NR " before the ss header";return}
    if($1~/^u_/){if(si)sb="line " NR ": a Unix socket after the TCP and UDP ones";return};si=1
    if($1!="tcp"&&$1!="udp"){sb="line " NR ": netid not tcp or udp";return};if($1=="tcp")nt++
    if(NF<6||$2!~/^(LISTEN|ESTAB|SYN-SENT|SYN-RECV|FIN-WAIT-1|FIN-WAIT-2|TIME-WAIT|UNCONN|CLOSE-WAIT|LAST-ACK|CLOSING|NEW-SYN-RECV|UNKNOWN)$/||$3!~/^[0-9]+$/||$4!~/^[0-9]+$/||$5!~/^(\*|\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]+)(%[^ ]+)?:(\*|[0-9]+)$/||$6!~/^(\*|\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]+)(%[^ ]+)?:(\*|[0-9]+)$/){sb="line " NR ": not the ss columns";return}
    for(i=7;i<=NF;i++)if($i~/^([0-9]+|\*)$/){sb="line " NR ": a bare number after the peer";return}
    if($1=="tcp"&&xe==""&&$5~/^\*[%:]/&&$0!~/ v6only:0/){sb="line " NR ": a wildcard bind without v6only";return}
    t=index($0," cgroup:");if(t){n=split(substr($0,t+8),a," ");for(i=2;i<=n;i++)if(a[i]!~/^(v6only:[01]|<->|-->|<--|---)$/){sb="line " NR ": more after the cgroup path";return}}}
    """#

  /// Owners (the attribution tool's pids) and their identities; see the type's comment.
  /// `e` rebuilds a string a byte at a time only in pieces of at most 64 bytes (a longer one is
  /// escaped as its two halves): the whole-string rebuild was quadratic, 0.4 ms of mawk for
  /// one 4 KB argument with newlines, 0.9 ms for one all escaped. It calls no `match` (`ids`
  /// reads RLENGTH after escaping a name).
  static let identityAwk = #"""
    function e(s,n,m,o,i,c){if(s!~/[^ -~]|\\/)return s;n=length(s);if(n>64){m=int(n/2);return e(substr(s,1,m)) e(substr(s,m+1))};o="";for(i=1;i<=n;i++){c=substr(s,i,1);o=o (c~/[ -~]/&&c!="\\"?c:sprintf("\\%03o",b[c]))};return o}
    function rf(f,l,x){l="";RS="\0";while((getline x<f)>0)l=l x;close(f);RS="\n";return l}
    function owners(l,x,n,i,s){if(kf=="")return;while((getline l<kf)>0){n=split(l,x," ")
    if(m=="netstat")for(i=6;i<=n;i++)if(x[i]~/^[0-9]+\//){sub(/\/.*/,"",x[i]);p[x[i]]}
    if(m=="lsof"&&l~/^p[0-9]/){match(l,/^p[0-9]+/);p[substr(l,2,RLENGTH-1)]}
    if(m=="proc"&&x[1]~/^[0-9]+$/&&(x[2] in K))p[x[1]]};close(kf)}
    function ids(l,a,x,f,n,q,d,i,j,k,c,s,v,h,g){B("proc-ids")
    while((getline l<"/proc/stat")>0)if(l~/^btime /)W(l);close("/proc/stat")
    l=rf("/proc/self/stat");getline g<"/proc/uptime";close("/proc/uptime");split(g,x," ")
    if(match(l,/.*\)/)&&x[1]>=1){split(substr(l,RLENGTH+2),f," ");h=f[20]/x[1];n=split("100 250 300 1000 1024 1200",a," ")
    k=0;for(i=1;i<=n;i++)if(k==0||(h-a[i])*(h-a[i])<(h-k)*(h-k))k=a[i];if((h-k)*(h-k)*400<k*k)W("hz " k)}
    l="";getline l<"/proc/sys/net/ipv4/ip_local_port_range";close("/proc/sys/net/ipv4/ip_local_port_range");if(l!="")W("ephemeral " l)
    n=0;for(i in p)q[++n]=i;k=split(P,x," ");for(i=1;i<=k;i++)if(!(x[i] in p)){p[x[i]];q[++n]=x[i]}
    for(i=1;i<=n;i++){d="/proc/"q[i];l=rf(d "/stat");if(!match(l,/.*\)/))continue;seen[q[i]]
    W("pid " q[i]);W("comm " e(substr(l,index(l,"(")+1,RLENGTH-index(l,"(")-1)))
    split(substr(l,RLENGTH+2),f," ");W("ppid " f[2]);W("start " f[20]);if(!(f[2] in pc)){c=rf("/proc/" f[2] "/comm");sub(/\n$/,"",c);pc[f[2]]=e(c)};W("pcomm " pc[f[2]])
    split(rf(d "/status"),a,"\n");for(j in a)if(a[j]~/^Uid:/){split(a[j],x," ");W("uid " x[2] " " x[3]);v[x[2]];v[x[3]]}
    k=split(rf(d "/cgroup"),a,"\n");for(j=1;j<=k;j++)if(a[j]!="")W("cgroup " e(a[j]))
    RS="\0";s=0;while((getline l<(d "/cmdline"))>0){if((s+=length(l))>4096){W("argcut");break};W("arg " e(l))};close(d "/cmdline");RS="\n"}
    for(i in v)if(i in u)W("user " i " " e(u[i]))
    E("proc-ids",0);k=0;for(i in seen)k++;h=(4096*4+100)*(2*k+1);for(i=1;i<=nu;i++)h+=length(U[i])*4+100
    g="/proc/self/fd/3";if(aq)print "ip">g;print (h>fpc?"c":"-")>g;for(i=1;i<=nu;i++)print U[i]>g
    for(i=1;i<=n;i++)if(q[i] in seen){print "/proc/" q[i] "/exe">g;print "/proc/" q[i] "/ns/net">g}}
    """#

  /// The whole program: ENVIRON fpn=<nonce+key>, `-v fpc=<cap> m=<method> w=<requested> P="<pids>"
  /// R="<readers of other network namespaces>" kf=<kept tool output> xe=<why ss ran without -e>`, ENVIRON fp_tm the shell's meta lines;
  /// stdin ss's output (method ss).
  static let oneAwk =
    framingAwk + "\n" + metaAwk + "\n" + ssTrustAwk + "\n" + identityAwk + "\n" + #"""
      BEGIN{fpn=ENVIRON["fpn"];for(i=1;i<256;i++)b[sprintf("%c",i)]=i;P2[0]=1;for(i=1;i<=32;i++)P2[i]=P2[i-1]*2;rk="@@fp:" fpn ":rc ";rc="?"
      n=split(R,Y," ");split("\#(netnsFiles.joined(separator: " "))",Z," ");for(i=1;i<=n;i++)for(j=1;j<=\#(netnsFiles.count);j++)F("netns-" Y[i] "-" Z[j],"/proc/" Y[i] "/net/" Z[j])
      meta();addresses();split("\#(procNetFiles.map(\.file).joined(separator: " "))",T," ")
      for(i=1;i<=9;i++)if(m!="ss"||T[i]!~/^tcp/)F("\#(ProbeSectionName.procNetPrefix)" T[i],"/proc/net/" T[i])
      owners();if(m=="ss")B("ss")}
      m=="ss"&&index($0,rk)==1{x=substr($0,length(rk)+1);if(x~/^[0-9]+$/)rc=x;next}
      m=="ss"{if(S())next}
      m=="ss"&&(!/^u_/||$2~/^(LISTEN|UNCONN)$/){W($0);s=$0;while(match(s,/pid=[0-9]+/)){p[substr(s,RSTART+4,RLENGTH-4)];s=substr(s,RSTART+RLENGTH)}}
      END{if(m=="ss"){E("ss",rc);if(rc!=0)sb="ss exited " rc;else if(ft)sb="ss printed more than the cap";else if(!sh&&sb=="")sb="ss printed no header";else if(!nt&&sb=="")sb="ss listed no TCP socket"
      B("\#(ProbeSectionName.tcpSource)");W(sb!=""?"proc-net " sb:xe!=""?"proc-net-cheaper " xe:"ss");E("\#(ProbeSectionName.tcpSource)",0)
      if(sb!=""||xe!="")for(i=1;i<=9;i++)if(T[i]~/^tcp/)F("\#(ProbeSectionName.procNetPrefix)" T[i],"/proc/net/" T[i])};ids()}
      """#
}
