#!/bin/sh
# Captures the firewall fixtures: each ruleset is loaded into a network namespace of its own
# (fpfw-*; the host's ruleset and the lab's fp* namespaces are never touched) and read back with
# the real tools; then a few verdicts are checked with real TCP connects between namespaces.
# Run as root from this folder: sh capture.sh   (Debian 12: nftables 1.0.6, iptables 1.8.9)
set -eu
cd "$(dirname "$0")"
NAMESPACES="fpfw-deb fpfw-drop fpfw-fwd fpfw-ufw fpfw-dkl fpfw-dkn fpfw-kube fpfw-cli fpfw-srv fpfw-ctr"
PIDS=""
cleanup() {
  for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done
  for ns in $NAMESPACES; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

in_ns() { ns=$1; shift; ip netns exec "$ns" "$@"; }
fresh() { ip netns del "$1" 2>/dev/null || true; ip netns add "$1"; }

# --- rulesets read back ----------------------------------------------------------------------
fresh fpfw-deb;  in_ns fpfw-deb nft -f debian-default.nft
in_ns fpfw-deb nft -j list ruleset > debian-default.nft.json
fresh fpfw-drop; in_ns fpfw-drop nft -f policy-drop.nft
in_ns fpfw-drop nft -j list ruleset > policy-drop.nft.json
in_ns fpfw-drop nft list ruleset > policy-drop.nft.listed
fresh fpfw-fwd;  in_ns fpfw-fwd nft -f firewalld-like.nft
in_ns fpfw-fwd nft -j list ruleset > firewalld-like.nft.json
fresh fpfw-ufw;  in_ns fpfw-ufw iptables-nft-restore < ufw-like.rules
in_ns fpfw-ufw iptables-nft-save > ufw-like.iptables-nft-save
in_ns fpfw-ufw nft -j list ruleset > ufw-like.iptables-nft.nft.json
fresh fpfw-dkl;  in_ns fpfw-dkl iptables-legacy-restore < docker-like.rules
in_ns fpfw-dkl iptables-legacy-save > docker-like.iptables-legacy-save
# iptables-nft-save where only legacy tables exist: its notice about them
in_ns fpfw-dkl iptables-nft-save > docker-like.legacy-seen-by-iptables-nft-save 2> docker-like.legacy-seen-by-iptables-nft-save.err || true
fresh fpfw-dkn;  in_ns fpfw-dkn iptables-nft-restore < docker-like.rules
in_ns fpfw-dkn iptables-nft-save > docker-like.iptables-nft-save
in_ns fpfw-dkn nft -j list ruleset > docker-like.iptables-nft.nft.json
in_ns fpfw-dkn nft list ruleset > docker-like.iptables-nft.nft.listed
# kube-proxy-like: a 1,000-rule instance kept; the generator's spelling checked against iptables-save at 2,000
fresh fpfw-kube
python3 gen-kube-proxy.py 1000 > /tmp/fpfw-kube-1000.rules
in_ns fpfw-kube iptables-legacy-restore < /tmp/fpfw-kube-1000.rules
in_ns fpfw-kube iptables-legacy-save > kube-proxy-1000.iptables-legacy-save
python3 gen-kube-proxy.py 2000 > /tmp/fpfw-kube-2000.rules
in_ns fpfw-kube iptables-legacy-restore < /tmp/fpfw-kube-2000.rules
in_ns fpfw-kube iptables-legacy-save | grep -v '^#' | sed 's/ \[[0-9]*:[0-9]*\]$/ [0:0]/' | sort > /tmp/fpfw-kube-2000.saved
sort -o /tmp/fpfw-kube-2000.rules /tmp/fpfw-kube-2000.rules
if diff -q /tmp/fpfw-kube-2000.rules /tmp/fpfw-kube-2000.saved >/dev/null; then
  echo "kube-proxy generator: iptables-legacy-save of the 2000-rule input, sorted, equals the input, sorted"
else
  echo "kube-proxy generator: iptables-legacy-save DIFFERS from the input:"; diff /tmp/fpfw-kube-2000.rules /tmp/fpfw-kube-2000.saved | head -20
fi
rm -f /tmp/fpfw-kube-1000.rules /tmp/fpfw-kube-2000.rules /tmp/fpfw-kube-2000.saved
for ns in fpfw-deb fpfw-drop fpfw-fwd fpfw-ufw fpfw-dkl fpfw-dkn fpfw-kube; do ip netns del "$ns"; done

# --- real connections -------------------------------------------------------------------------
# fpfw-cli (10.99.0.1, 198.51.100.1) --veth-- fpfw-srv eth0 (10.99.0.2, 198.51.100.2);
# fpfw-srv docker0 (172.17.0.1/16) --veth-- fpfw-ctr (172.17.0.2), the "container".
topology() {
  for ns in fpfw-cli fpfw-srv fpfw-ctr; do fresh $ns; done
  ip link add fpfwc0 type veth peer name fpfws0
  ip link set fpfwc0 netns fpfw-cli; ip link set fpfws0 netns fpfw-srv
  in_ns fpfw-cli ip link set fpfwc0 name eth0; in_ns fpfw-srv ip link set fpfws0 name eth0
  in_ns fpfw-cli ip addr add 10.99.0.1/24 dev eth0; in_ns fpfw-cli ip addr add 198.51.100.1/24 dev eth0
  in_ns fpfw-srv ip addr add 10.99.0.2/24 dev eth0; in_ns fpfw-srv ip addr add 198.51.100.2/24 dev eth0
  ip link add fpfwd0 type veth peer name fpfwk0
  ip link set fpfwd0 netns fpfw-srv; ip link set fpfwk0 netns fpfw-ctr
  in_ns fpfw-srv ip link set fpfwd0 name docker0; in_ns fpfw-ctr ip link set fpfwk0 name eth0
  in_ns fpfw-srv ip addr add 172.17.0.1/16 dev docker0; in_ns fpfw-ctr ip addr add 172.17.0.2/16 dev eth0
  for ns in fpfw-cli fpfw-srv fpfw-ctr; do in_ns $ns ip link set lo up; done
  in_ns fpfw-cli ip link set eth0 up; in_ns fpfw-srv ip link set eth0 up; in_ns fpfw-srv ip link set docker0 up
  in_ns fpfw-ctr ip link set eth0 up; in_ns fpfw-ctr ip route add default via 172.17.0.1
  in_ns fpfw-cli ip route add 172.17.0.0/16 via 10.99.0.2
  in_ns fpfw-srv sysctl -qw net.ipv4.ip_forward=1
  # every address used stays inside these namespaces
  in_ns fpfw-cli ip route get 10.99.0.2 | grep -q 'dev eth0'
  in_ns fpfw-cli ip route get 198.51.100.2 | grep -q 'dev eth0'
  in_ns fpfw-srv ip route get 172.17.0.2 | grep -q 'dev docker0'
  # listeners: the host's own (name "srv") and the container's (name "ctr"); each greets with its name
  LISTEN='import socket,sys,threading
name=sys.argv[1]
def serve(p):
    s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(("0.0.0.0",p)); s.listen(16)
    while True:
        c,_=s.accept(); c.sendall(name.encode()); c.close()
ts=[threading.Thread(target=serve,args=(int(p),),daemon=True) for p in sys.argv[2:]]
[t.start() for t in ts]; [t.join() for t in ts]'
  in_ns fpfw-srv timeout 120 python3 -c "$LISTEN" srv 22 443 2222 5432 6379 8080 8443 & PIDS="$PIDS $!"
  in_ns fpfw-ctr timeout 120 python3 -c "$LISTEN" ctr 80 443 & PIDS="$PIDS $!"
  sleep 0.5
}
CONNECT='import socket,sys,errno
src,dst,port=sys.argv[1],sys.argv[2],int(sys.argv[3])
try:
    s=socket.create_connection((dst,port),timeout=1,source_address=(src,0)); print("accept", s.recv(16).decode() or "-")
except socket.timeout: print("drop (timeout 1 s)")
except ConnectionRefusedError: print("reject (refused)")
except OSError as e: print("reject (%s)" % errno.errorcode.get(e.errno, e.errno))'
probe() {  # probe LABEL SRC PORT
  printf '%s\t%s -> %s:%s\t%s\n' "$1" "$2" "$( [ "$2" = 10.99.0.1 ] && echo 10.99.0.2 || echo 198.51.100.2)" "$3" \
    "$(in_ns fpfw-cli python3 -c "$CONNECT" "$2" "$( [ "$2" = 10.99.0.1 ] && echo 10.99.0.2 || echo 198.51.100.2)" "$3")"
}
stop_listeners() { for pid in $PIDS; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; PIDS=""; }

{
  echo "# real TCP connects from fpfw-cli to fpfw-srv (1 s timeout), one topology per ruleset; written by capture.sh"
  echo "# ruleset	connection	outcome (accept NAME: NAME's listener answered: srv = the host, ctr = the DNAT target)"
  topology; in_ns fpfw-srv nft -f policy-drop.nft
  for p in 22 443 5432 6379; do probe policy-drop 10.99.0.1 $p; done
  probe policy-drop 198.51.100.1 5432
  stop_listeners
  topology; in_ns fpfw-srv iptables-nft-restore < ufw-like.rules
  for p in 22 443 5432 6379 2222 8080; do probe ufw-like 10.99.0.1 $p; done
  probe ufw-like 198.51.100.1 5432
  stop_listeners
  topology; in_ns fpfw-srv nft -f firewalld-like.nft
  for p in 22 443 5432 6379; do probe firewalld-like 10.99.0.1 $p; done
  stop_listeners
  for backend in legacy nft; do
    topology; in_ns fpfw-srv iptables-$backend-restore < docker-like.rules
    for p in 22 5432 8080 8443; do probe docker-like-$backend 10.99.0.1 $p; done
    probe docker-like-$backend 198.51.100.1 8443
    probe docker-like-$backend 198.51.100.1 8080
    stop_listeners
  done
} > connections.tsv
cat connections.tsv
