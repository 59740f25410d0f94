#!/bin/sh
# Captures analysis/netns-root-scan.json: `fleetports local` inside a scratch network
# namespace (fpana) and its own PID namespace, with listeners that show the rules the lab
# cannot: a public address (192.0.2.10 on lo, TEST-NET-1, nothing is routed), a datastore on
# it, nginx on 5432, a non-root user on port 25, an abstract socket, a 0666 docker.sock, 60
# TIME-WAIT sockets, and a listener started outside the PID namespace (owner invisible).
# Root only. Usage: capture.sh PATH-TO-fleetports
set -eu
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
ns=fpana
cleanup() { ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null || true; ip netns del $ns 2>/dev/null || true; rm -rf /run/fpana; }
trap cleanup EXIT
cleanup
ip netns add $ns
ip -n $ns link set lo up
ip -n $ns addr add 192.0.2.10/32 dev lo
ip -n $ns addr add 10.250.0.10/32 dev lo
ip netns exec $ns sysctl -qw net.ipv4.ip_unprivileged_port_start=0
mkdir -p /run/fpana
# Started from the root PID namespace: the probe below cannot see its owner.
ip netns exec $ns python3 "$here/listeners.py" "hidden,root,tcp,0.0.0.0,9999" &
sleep 1.5
ip netns exec $ns unshare --uts --pid --fork --mount-proc sh -c "
  hostname fpana-host
  python3 '$here/listeners.py' \
    'redis-server,nobody,tcp,0.0.0.0,6379' \
    'nginx,root,tcp,0.0.0.0,5432' \
    'nginx,root,tcp,0.0.0.0,443' \
    'web,root,tcp,0.0.0.0,8443' \
    'smtpd,nobody,tcp,0.0.0.0,25' \
    'ntpd,root,udp,127.0.0.1,123' \
    'agent,root,abstract,fpana-agent,0' \
    'dockerd,root,unix,/run/fpana/docker.sock,666' \
    'timewait,root,tcp,127.0.0.1,7100' &
  sleep 3
  '$bin' local --out /tmp/fpana-capture >/dev/null
"
cp /tmp/fpana-capture/scan.json "$here/netns-root-scan.json"
chmod 644 "$here/netns-root-scan.json"
rm -rf /tmp/fpana-capture
echo "wrote $here/netns-root-scan.json"
