#!/bin/bash
# Re-capture the "debian12-*" fixtures in ss/ netstat/ lsof/ proc/ consistency/.
#
# Run as root on a Debian 12 host (iproute2 6.1, net-tools 2.10, lsof 4.95,
# busybox 1.35):   sudo ./capture.sh
#
# Everything happens inside a network namespace of our own ("fpfix") and a PID
# namespace of our own (so lsof / ss -p / netstat -p only see our processes and
# no real address or process of the host can end up in a fixture).
# On exit (trap) it kills exactly the processes it started (their pids are in
# $STATE/pids), removes the namespace, /run/fpfix and its temp dir.
#
# Network layout inside fpfix:
#   lo                 127.0.0.1/8, ::1
#   d0 (veth, peer d0p; the "dummy" link type is not available on the kernel
#      this was first run on, so a veth pair with both ends inside the
#      namespace is used instead; fixed MACs make the link-local stable)
#                      10.200.250.1/24, fd00:250::1/64,
#                      fd00:250::1234:5678:9abc:def0/64, fe80::ff:fefa:1/64
set -euo pipefail

NS=fpfix
U=fpfixture
HERE=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" != 0 ]; then
    echo "capture.sh: must run as root" >&2
    exit 1
fi

if [ "${FPFIX_INNER:-}" != 1 ]; then
    # new PID namespace (+ mount namespace with a private /proc)
    exec env FPFIX_INNER=1 unshare --pid --fork --mount-proc -- "$0" "$@"
fi

export LC_ALL=C LANG=C
unset COLUMNS

STATE=$(mktemp -d /tmp/fpfix.XXXXXX)
chmod 1777 "$STATE"
mkdir -m 1777 "$STATE/pids"
cp "$HERE/listeners.py" "$STATE/listeners.py"
chmod 0644 "$STATE/listeners.py"
BGPIDS=()

cleanup() {
    set +e
    local f
    for f in "$STATE"/pids/*; do
        [ -e "$f" ] && kill -TERM "$(basename "$f")" 2>/dev/null
    done
    for f in "${BGPIDS[@]}"; do
        kill -TERM "$f" 2>/dev/null
        wait "$f" 2>/dev/null
    done
    ip netns del "$NS" 2>/dev/null
    rm -rf /run/fpfix "$STATE"
}
trap cleanup EXIT

if ! id "$U" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$U"
fi

# --- namespace -------------------------------------------------------------
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
nsx() { ip netns exec "$NS" "$@"; }
nsx sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
nsx sysctl -qw net.ipv4.tcp_fin_timeout=1     # orphaned FIN-WAIT-2 of the CLOSE-WAIT clients vanish fast
ip -n "$NS" link set lo up
ip -n "$NS" link add d0 address 02:00:00:fa:00:01 type veth peer name d0p address 02:00:00:fa:00:02
ip -n "$NS" addr add 10.200.250.1/24 dev d0
ip -n "$NS" addr add fd00:250::1/64 dev d0 nodad
ip -n "$NS" addr add fd00:250::1234:5678:9abc:def0/64 dev d0 nodad
ip -n "$NS" link set d0p up
ip -n "$NS" link set d0 up
for _ in $(seq 100); do
    ip -n "$NS" -6 addr show dev d0 scope link | grep -q 'fe80::ff:fefa:1/64' && break
    sleep 0.1
done
ip -n "$NS" -6 addr show dev d0 scope link | grep -q 'fe80::ff:fefa:1/64' || { echo "no link-local on d0" >&2; exit 1; }

rm -rf /run/fpfix
mkdir -p /run/fpfix/user
chown "$U" /run/fpfix/user

# --- listeners ---------------------------------------------------------------
(cd / && exec ip netns exec "$NS" /usr/bin/python3 "$STATE/listeners.py" root "$STATE") &
BGPIDS+=($!)
(cd / && exec ip netns exec "$NS" runuser -u "$U" -- /usr/bin/python3 "$STATE/listeners.py" user "$STATE") &
BGPIDS+=($!)
for r in root user; do
    for _ in $(seq 200); do [ -e "$STATE/ready-$r" ] && break; sleep 0.05; done
    [ -e "$STATE/ready-$r" ] || { echo "listeners ($r) not ready" >&2; exit 1; }
done
sleep 3   # let the orphaned FIN-WAIT-2 client sockets expire (tcp_fin_timeout=1)

cd /

# cap WHO FILE CMD...   stdout -> FILE, stderr -> FILE.err if non-empty
cap() {
    local who=$1 out=$2 rc=0; shift 2
    mkdir -p "$(dirname "$out")"
    if [ "$who" = root ]; then
        nsx "$@" >"$out" 2>"$out.err" || rc=$?
    else
        nsx runuser -u "$U" -- "$@" >"$out" 2>"$out.err" || rc=$?
    fi
    [ -s "$out.err" ] || rm -f "$out.err"
    printf '%-4s rc=%-3s %-55s %s\n' "$who" "$rc" "${out#$HERE/}" "$*"
}
# cap2 WHO FILE CMD...  stdout+stderr together -> FILE
cap2() {
    local who=$1 out=$2 rc=0; shift 2
    mkdir -p "$(dirname "$out")"
    if [ "$who" = root ]; then
        nsx "$@" >"$out" 2>&1 || rc=$?
    else
        nsx runuser -u "$U" -- "$@" >"$out" 2>&1 || rc=$?
    fi
    printf '%-4s rc=%-3s %-55s %s (stdout+stderr)\n' "$who" "$rc" "${out#$HERE/}" "$*"
}

# --- consistency: one back-to-back root capture ------------------------------
C="$HERE/consistency"
mkdir -p "$C"
cap root "$C/ss-tuanp.out"          ss -tuanp
cap root "$C/ss-xap.out"            ss -xap
cap root "$C/netstat-tuanpW.out"    netstat -tuanpW
cap root "$C/lsof-i-F.out"          lsof -i -P -n -FpcuLfnPtT
cap root "$C/proc-net-tcp.out"      cat /proc/net/tcp
cap root "$C/proc-net-tcp6.out"     cat /proc/net/tcp6
cap root "$C/proc-net-udp.out"      cat /proc/net/udp
cap root "$C/proc-net-udp6.out"     cat /proc/net/udp6
cap root "$C/proc-net-unix.out"     cat /proc/net/unix

# --- per tool, as root and as the unprivileged user ---------------------------
for who in root user; do
    P="debian12-$who"
    S="$HERE/ss/$P"
    cap $who "$S-tuanp.out"                 ss -tuanp
    cap $who "$S-tlnp.out"                  ss -tlnp
    cap $who "$S-ulnp.out"                  ss -ulnp
    cap $who "$S-xlp.out"                   ss -xlp
    cap $who "$S-xa.out"                    ss -xa
    cap $who "$S-xap.out"                   ss -xap
    cap $who "$S-tuanpe.out"                ss -tuanpe
    cap $who "$S-H-tuanp.out"               ss -H -tuanp
    cap $who "$S-tanp-state-established.out" ss -tanp state established
    cap $who "$S-tlnp-state-listening.out"  ss -tlnp state listening
    cap $who "$S-tn.out"                    ss -tn
    cap $who "$S-tuan.out"                  ss -tuan

    N="$HERE/netstat/$P"
    if [ $who = root ]; then c=cap; else c=cap2; fi
    $c $who "$N-tulpen.out"                 netstat -tulpen
    $c $who "$N-tuanp.out"                  netstat -tuanp
    $c $who "$N-tuanpW.out"                 netstat -tuanpW
    $c $who "$N-tulnp.out"                  netstat -tulnp
    $c $who "$N-xlp.out"                    netstat -xlp
    cap $who "$N-s.out"                     netstat -s
    if [ $who = user ]; then
        # the same -p commands again, stdout only, to show which lines go to stderr
        cap $who "$N-tulnp-stdout.out"      netstat -tulnp
    fi

    B="$HERE/netstat/$P-busybox-1.35"
    cap2 $who "$B-tulnp.out"                busybox netstat -tulnp
    cap2 $who "$B-tuanp.out"                busybox netstat -tuanp
    cap2 $who "$B-xlp.out"                  busybox netstat -xlp
    cap  $who "$B-tuln.out"                 busybox netstat -tuln
    cap  $who "$B-tuan.out"                 busybox netstat -tuan
    cap  $who "$B-tulen.out"                busybox netstat -tulen
    cap  $who "$B-xl.out"                   busybox netstat -xl
    cap  $who "$B-xa.out"                   busybox netstat -xa

    L="$HERE/lsof/$P"
    cap $who "$L-i-P-n.out"                 lsof -i -P -n
    cap $who "$L-c0-i-P-n.out"              lsof +c 0 -i -P -n
    cap $who "$L-i-P-n-FpcuLfnPtT.out"      lsof -i -P -n -FpcuLfnPtT
    cap $who "$L-i-P-n-F0pcuLfnPtT.out"     lsof -i -P -n -F0pcuLfnPtT
    cap $who "$L-U-n-P.out"                 lsof -U -n -P
    cap $who "$L-c0-U-n-P.out"              lsof +c 0 -U -n -P

    R="$HERE/proc/$P"
    for f in tcp tcp6 udp udp6 raw raw6 unix netstat snmp snmp6; do
        cap $who "$R-net-$f.out"            cat /proc/net/$f
    done
done

# sanity: no address outside the namespace plan may appear
if grep -hoE '\b([0-9]{1,3}\.){3}[0-9]{1,3}\b' "$HERE"/*/debian12-* "$HERE"/consistency/* 2>/dev/null \
        | grep -vE '^(127\.0\.0\.1|0\.0\.0\.0|10\.200\.250\.[0-9]+)$' | sort -u | grep -E .; then
    echo "WARNING: unexpected IPv4 addresses above" >&2
fi
echo done
