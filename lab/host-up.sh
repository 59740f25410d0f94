#!/bin/sh
# Bring up lab host $1 (namespace, links and addresses already created by lab.sh):
# addresses inside the namespace, then hostname + sshd + services in a new UTS namespace.
set -eu
i=$1
LAB=$(cd "$(dirname "$0")" && pwd)
ns=$(printf 'fplab-%03d' "$i")
v4="10.200.$((i / 200)).$((i % 200 + 10))"
v6=$(printf 'fd00:200::1:%x' "$i")
ip -n "$ns" -b - <<EOB
link set lo up
addr add $v4/16 dev eth0
addr add $v6/64 dev eth0 nodad
link set eth0 up
EOB
# per-namespace /etc/hosts and resolv.conf (ip netns exec bind-mounts /etc/netns/NS/*):
# the host resolves its own name, and no resolver outside the lab is ever asked
name=$(printf 'lab-%03d' "$i")
mkdir -p "/etc/netns/$ns"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n%s\t%s\n%s\t%s\n' "$v4" "$name" "$v6" "$name" >"/etc/netns/$ns/hosts"
printf '# fleetports lab: no resolver\nnameserver 127.0.0.1\n' >"/etc/netns/$ns/resolv.conf"
exec ip netns exec "$ns" unshare --uts -- /usr/bin/python3 "$LAB/fleetlab.py" serve "$i"
