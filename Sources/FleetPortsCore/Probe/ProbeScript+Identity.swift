/// The probe's process identity section (`proc-ids`): who the processes the attribution tool
/// named are, read from /proc by one awk and one `stat`, whatever the number of pids.
///
/// `fp_keep` runs the attribution command with its output also in the probe's file `fp_kept`;
/// `fp_who` takes the pids from it (ss `pid=N`, netstat `N/name`, lsof `pN`, proc-fd's first
/// field where the inode is an IP socket or a Unix listener in /proc/net: every owner of what
/// the tool lists, listeners' and IP connections'), then prints, one
/// `key value` line each (values escaped: bytes outside printable ASCII and `\` as `\ooo`):
///
///     btime 1700000000            boot time, epoch seconds (/proc/stat)
///     hz 100                      clock ticks a second (getconf CLK_TCK; absent without getconf)
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
///     link /proc/812/exe -> /usr/lib/postgresql/15/bin/postgres (deleted)
///     link /proc/812/ns/net -> net:[4026531840]
///
/// The `link` lines are GNU `stat -c %N` with QUOTING_STYLE=escape (busybox quotes both
/// sides with `'`); links the kernel does not let this user read (another user's exe and
/// namespace, without root) are absent. A process that ended before awk read it has no lines.
/// awk reads every file with `getline` (RS set to NUL for whole files and argv), so a comm
/// or argument holding a newline stays one value; busybox awk stops at a NUL, so there each
/// argv has its first element only.
extension ProbeScript {
  static let identityFunctions = #"""
    fp_keep() {
      if [ -n "$fp_kept" ]; then
        "$@" >"$fp_kept" 2>&1
        fp_k=$?
        cat "$fp_kept"
        return $fp_k
      fi
      "$@"
    }

    fp_who() {
      # /proc/<pid>/fd lists every socket, Unix connections too: only the owners of IP
      # sockets and Unix listeners (what ss, netstat and lsof name) are read.
      fp_x=
      [ "$fp_method" = proc ] && fp_x='/proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 /proc/net/raw /proc/net/raw6 /proc/net/unix'
      set --
      [ -s "$fp_kept" ] && set -- $(awk -v m="$fp_method" '
    \#(ownerPIDsAwk)' $fp_x "$fp_kept" 2>/dev/null)
      # The processes of other network namespaces (containers) fp_netns found, each once.
      for fp_x in $fp_pids; do case " $* " in *" $fp_x "*) ;; *) set -- "$@" $fp_x ;; esac; done
      awk -v P="$*" '
    \#(identityAwk)'
      for fp_p; do set -- "$@" /proc/$fp_p/exe /proc/$fp_p/ns/net; shift; done
      [ "$#" = 0 ] || QUOTING_STYLE=escape stat -c 'link %N' "$@" 2>/dev/null
      return 0
    }

    """#

  /// awk over the attribution tool's output (`-v m=METHOD`): every pid it names, once.
  static let ownerPIDsAwk = #"""
    m=="ss"{s=$0;while(match(s,/pid=[0-9]+/)){p[substr(s,RSTART+4,RLENGTH-4)];s=substr(s,RSTART+RLENGTH)}}
    m=="netstat"{for(i=6;i<=NF;i++)if($i~/^[0-9]+\//){sub(/\/.*/,"",$i);p[$i]}}
    m=="lsof"&&/^p[0-9]/{match($0,/^p[0-9]+/);p[substr($0,2,RLENGTH-1)]}
    FILENAME~/^\/proc\/net\/unix/{if($4=="00010000")k[$7];next}
    FILENAME~/^\/proc\/net\//{k[$10];next}
    m=="proc"&&$1~/^[0-9]+$/&&($2 in k){p[$1]}
    END{for(i in p)print i}
    """#

  /// awk reading every file of the section (`-v P="PID PID …"`); see the type's comment.
  static let identityAwk = #"""
    function e(s,o,i,c){if(s!~/[^ -~]|\\/)return s;o="";for(i=1;i<=length(s);i++){c=substr(s,i,1);o=o (c~/[ -~]/&&c!="\\"?c:sprintf("\\%03o",b[c]))};return o}
    function r(f,l,x){l="";RS="\0";while((getline x<f)>0)l=l x;close(f);RS="\n";return l}
    BEGIN{for(i=1;i<256;i++)b[sprintf("%c",i)]=i
    while((getline l<"/proc/stat")>0)if(l~/^btime /)print l
    l="";"getconf CLK_TCK"|getline l;if(l~/^[0-9]+$/)print "hz " l
    l="";getline l<"/proc/sys/net/ipv4/ip_local_port_range";if(l!="")print "ephemeral " l
    while((getline l<"/etc/passwd")>0){split(l,a,":");u[a[3]]=a[1]}
    n=split(P,q," ")
    for(i=1;i<=n;i++){d="/proc/"q[i];l=r(d "/stat");if(!match(l,/.*\)/))continue
    print "pid " q[i];print "comm " e(substr(l,index(l,"(")+1,RLENGTH-index(l,"(")-1))
    split(substr(l,RLENGTH+2),f," ");print "ppid " f[2];print "start " f[20];c=r("/proc/" f[2] "/comm");sub(/\n$/,"",c);print "pcomm " e(c)
    split(r(d "/status"),a,"\n");for(j in a)if(a[j]~/^Uid:/){split(a[j],x," ");print "uid " x[2] " " x[3];v[x[2]];v[x[3]]}
    k=split(r(d "/cgroup"),a,"\n");for(j=1;j<=k;j++)if(a[j]!="")print "cgroup " e(a[j])
    RS="\0";s=0;while((getline l<(d "/cmdline"))>0){if((s+=length(l))>4096){print "argcut";break};print "arg " e(l)};close(d "/cmdline");RS="\n"}
    for(i in v)if(i in u)print "user " i " " e(u[i])}
    """#
}
