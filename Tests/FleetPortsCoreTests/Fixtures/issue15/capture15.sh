#!/bin/bash
# Captures the issue-15 fixtures (Fixtures/issue15/*.out) on this machine, as root:
#   sudo ./capture15.sh
# Own PID + mount namespace (unshare); a network namespace "fpparse-cap" with lo only
# (127.0.0.1, ::1); sockets made by sockets15.py; a private cgroup2 mount so `ss -e`
# prints cgroup:; /etc/services bind-mounted (in the private mount namespace only) with
# one extra line "fpcustom 7777/tcp" so a name this tool's table lacks is printed.
# A second, empty namespace "fpparse-empty" gives header-only /proc/net tables.
# The trap kills exactly the processes it started and deletes both namespaces.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "capture15.sh: must run as root" >&2; exit 1; }
if [ "${FP15_INNER:-}" != 1 ]; then
  exec env FP15_INNER=1 unshare --pid --fork --mount-proc --mount -- "$0" "$@"
fi
export LC_ALL=C LANG=C
unset COLUMNS
NS=fpparse-cap
EMPTY=fpparse-empty
OUT=$HERE
STATE=$(mktemp -d /tmp/fp15.XXXXXX)
mkdir "$STATE/pids" "$STATE/cg2"
chmod 0755 "$STATE"; chmod 1777 "$STATE/pids"
BG=()
cleanup() {
  set +e
  for p in "${BG[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for f in "$STATE"/pids/[0-9]*; do [ -e "$f" ] && kill -TERM "$(basename "$f")" 2>/dev/null; done
  wait 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  ip netns del "$EMPTY" 2>/dev/null
  umount "$STATE/cg2" 2>/dev/null
  rm -rf "$STATE"
}
trap cleanup EXIT
cp /etc/services "$STATE/services"
printf 'fpcustom\t7777/tcp\t\t\t# issue-15 capture: a local name\n' >>"$STATE/services"
mount --bind "$STATE/services" /etc/services
mount -t cgroup2 none "$STATE/cg2"
mkdir -p "$STATE/cg2/system.slice/nginx.service" "$STATE/cg2/system.slice/chrony.service"
ip netns add "$NS"
ip netns add "$EMPTY"
ip -n "$NS" link set lo up
ip -n "$EMPTY" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv4.ip_unprivileged_port_start=0
start() {  # role [cgroup]
  local role=$1 cg=${2:-}
  ( [ -n "$cg" ] && echo $BASHPID >"$STATE/cg2/$cg/cgroup.procs"
    cd / && exec ip netns exec "$NS" /usr/bin/python3 "$HERE/sockets15.py" "$role" "$STATE" ) &
  BG+=($!)
}
start nginx system.slice/nginx.service
start chronyd system.slice/chrony.service
for r in sshd cupsd javaapp gateway pinger worker dhclient; do start "$r"; done
for r in nginx chronyd sshd cupsd javaapp gateway pinger worker dhclient; do
  for _ in $(seq 100); do [ -e "$STATE/pids/ready-$r" ] && break; sleep 0.1; done
  [ -e "$STATE/pids/ready-$r" ] || { echo "role $r did not start" >&2; exit 1; }
done
nsx() { ip netns exec "$NS" "$@"; }
cap() {  # file cmd...   (stdout only; stderr kept in FILE.err when not empty)
  local f=$OUT/$1; shift
  nsx "$@" >"$f" 2>"$f.err" || echo "exit $? from: $*" >>"$f.err"
  [ -s "$f.err" ] || rm -f "$f.err"
}
# kind 3: socket kinds beyond tcp/udp/unix
cap ss-anp.out ss -anp
cap ss-Mlnp.out ss -Mlnp
cap ss-awnp.out ss -awnp
cap ss-awp.out ss -awp
cap netstat-wanp.out netstat -wanp
cap netstat-wap.out netstat -wap
cap ss-a-A-all-np.out ss -a -A inet,packet,netlink,vsock -np
cap ss-H-a-A-all-n.out ss -H -a -A inet,packet,netlink,vsock -n
# kind 6: ss -e (uid 0 omitted, cgroup)
cap ss-tulpne.out ss -tulpne
cap ss-tulne.out ss -tulne
# kind 4: names where numbers belong
cap ss-tl.out ss -tl
cap ss-tlr.out ss -tlr
cap ss-ulp.out ss -ulp
cap netstat-tl.out netstat -tl
cap netstat-tulp.out netstat -tulp
cap busybox-netstat-tl.out busybox netstat -tl
cap lsof-i.out lsof -i
cap lsof-i-n.out lsof -i -n
cap lsof-i-n-FpcftPn.out lsof -i -n -FpcftPn
# kind 2: extra text inside or after a field
cap netstat-tulpeno.out netstat -tulpeno
cap netstat-tuanpo.out netstat -tuanpo
cap netstat-tlnp-timers.out netstat --timers -tlnp
cap netstat-tuanpeo-W.out netstat -tuanpeoW
cap lsof-i-nP-Tqs.out lsof -i -nP -T qs
cap lsof-i-nP-Tfqs.out lsof -i -nP -T fqs
cap lsof-i-nP-Tq.out lsof -i -nP -T q
cap lsof-i-nP-F0-Tqs.out lsof -i -nP -T qs -F0pcfnPtT
# kind 1: lsof -F field subsets
cap lsof-i-nP-FpctPn.out lsof -nP -i -F pctPn
cap lsof-i-nP-Fpcfn.out lsof -i -nP -F pcfn
cap lsof-i-nP-Fpcn.out lsof -i -nP -F pcn
cap lsof-i-nP-F0pcfn.out lsof -i -nP -F0pcfn
cap lsof-i-nP-FpcftnT.out lsof -i -nP -F pcftnT
cap lsof-i-nP-FpcfPn.out lsof -i -nP -F pcfPn
# kind 5: sockets lsof could not decode: lsof run OUTSIDE the socket's network namespace
W=$(grep -l "^worker$" "$STATE"/pids/[0-9]* | head -1 | xargs basename)
lsof -nP -a -p "$W" -d 3-99 >"$OUT/lsof-nP-p-worker-outside-netns.out" 2>/dev/null || true
lsof -nP -a -p "$W" -d 3-99 -F pcuftPni >"$OUT/lsof-nP-p-worker-outside-netns-F.out" 2>/dev/null || true
lsof -nP -a -p "$W" -d 3-99 -F0pcuftPni >"$OUT/lsof-nP-p-worker-outside-netns-F0.out" 2>/dev/null || true
lsof -nP -i -a -p "$W" >"$OUT/lsof-i-nP-p-worker-outside-netns.out" 2>/dev/null || true
# kind 7: empty tables; kind 8: the tables swapped copies are made from
for t in raw raw6 udplite udplite6 tcp6 udp6 tcp udp; do
  ip netns exec "$EMPTY" cat /proc/net/$t >"$OUT/empty-proc-net-$t.out"
done
for t in tcp tcp6 udp udp6 raw raw6; do nsx cat /proc/net/$t >"$OUT/proc-net-$t.out"; done
{ echo "uname -r: $(uname -r)"; ss -V; netstat -V 2>&1 | head -1; lsof -v 2>&1 | sed -n 2p; busybox 2>&1 | head -1; } >"$OUT/VERSIONS.txt"
echo "captured into $OUT"
