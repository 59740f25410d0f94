#!/bin/bash
# fleetports lab fleet: lab.sh up N | down | status     (see lab/README.md)
set -euo pipefail

LAB=$(cd "$(dirname "$0")" && pwd)
RUN="$LAB/run"
PY=/usr/bin/python3
BR=fpbr0
NSRE='^fplab-[0-9]{3}$'
VETHRE='^fpv[0-9]{3}$'
PAR=${LAB_PARALLEL:-16}

say() { echo "lab: $*" >&2; }
die() { say "error: $*"; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (network namespaces)"; }

# ---------------------------------------------------------------- packages and users
ensure_packages() {
    local missing=() c p
    for c in /usr/sbin/sshd:openssh-server /usr/bin/ssh:openssh-client /usr/bin/ssh-keygen:openssh-client \
             /usr/bin/sudo:sudo /usr/sbin/ip:iproute2 /usr/bin/ss:iproute2 /usr/bin/python3:python3 \
             /usr/bin/unshare:util-linux /usr/bin/ps:procps; do
        [ -x "${c%%:*}" ] || missing+=("${c#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    p=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
    say "installing missing packages: $p"
    # keep the package scripts from starting the system sshd
    local prc=/usr/sbin/policy-rc.d made=0
    if [ ! -e "$prc" ]; then printf '#!/bin/sh\nexit 101\n' >"$prc"; chmod +x "$prc"; made=1; fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq $p >/dev/null || { [ $made = 1 ] && rm -f "$prc"; die "apt-get install $p failed"; }
    [ $made = 1 ] && rm -f "$prc"
    return 0
}

ensure_user() {
    local u=$1
    id -u "$u" >/dev/null 2>&1 || useradd -m -s /bin/bash "$u"
    # a '!' password means "locked" to sshd when UsePAM is off; '*' allows key login only
    if getent shadow "$u" | cut -d: -f2 | grep -q '^!'; then usermod -p '*' "$u"; fi
}

ensure_users() {
    ensure_user fpuser
    ensure_user fpsudo
    local f=/etc/sudoers.d/fleetports-lab
    if [ ! -f "$f" ]; then
        echo 'fpsudo ALL=(ALL:ALL) NOPASSWD: ALL' >"$f.tmp"
        chmod 0440 "$f.tmp"
        visudo -cqf "$f.tmp" && mv "$f.tmp" "$f"
    fi
    mkdir -p /run/sshd && chmod 0755 /run/sshd   # sshd's privilege separation directory
}

# ---------------------------------------------------------------- helpers
lab_namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "$NSRE" || true; }
lab_veths() { ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "$VETHRE" || true; }
ipv4_of() { local i=$1; echo "10.200.$((i / 200)).$((i % 200 + 10))"; }

# pid belongs to the lab if its command line names our run directory or fleetlab.py
is_lab_pid() {
    local pid=$1 cl
    [ -r "/proc/$pid/cmdline" ] || return 1
    cl=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    case "$cl" in *"$LAB/fleetlab.py"*|*"$RUN/"*) return 0 ;; esac
    return 1
}

# proc_stat PID: sets p_start (when the process started: clock ticks after boot, /proc/PID/stat
# field 22) and p_state (field 3), both empty once it is gone; builtins only (down checks
# thousands of pids, many times). The start tells a pid the kernel has given to another
# process since (a busy machine reuses pids within seconds, kernel workers included) from ours.
proc_stat() {
    local stat
    p_start= p_state=
    { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
    set -- ${stat##*) }
    p_state=${1:-} p_start=${20:-}
}

# still_running PID START: the process that had this pid at START is still there (not a zombie).
still_running() {
    proc_stat "$1"
    [ -n "$2" ] && [ "$p_start" = "$2" ] && [ "$p_state" != Z ]
}

kill_pids() {  # kill_pids SIG pid...
    local sig=$1; shift
    [ $# -gt 0 ] && kill "-$sig" "$@" 2>/dev/null || true
}

# ---------------------------------------------------------------- down
cmd_down() {
    need_root
    local pids=() f pid rest ns t
    local -A started=()
    # 1. each host's init (PID 1 of its PID namespace, as the machine numbers it; its death kills
    #    the rest of the host), from our pid files, verified by command line. sshd.pid and
    #    services.pid hold pids as the host numbers them, meaningless here.
    for f in "$RUN"/lab-*/init.pid; do
        [ -f "$f" ] || continue
        while read -r pid rest; do
            [[ "$pid" =~ ^[0-9]+$ ]] && is_lab_pid "$pid" && pids+=("$pid") && proc_stat "$pid" && started[$pid]=$p_start
        done <"$f"
    done
    # 2. anything still running inside a lab namespace (started by the lab or its sshd)
    for ns in $(lab_namespaces); do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do pids+=("$pid") && proc_stat "$pid" && started[$pid]=$p_start; done
    done
    if [ ${#pids[@]} -gt 0 ]; then
        local alive=() ours=()
        for pid in "${pids[@]}"; do still_running "$pid" "${started[$pid]-}" && ours+=("$pid"); done
        kill_pids TERM "${ours[@]}"
        for t in $(seq 1 50); do   # bounded: 5 s
            alive=()
            for pid in "${pids[@]}"; do still_running "$pid" "${started[$pid]-}" && alive+=("$pid"); done
            [ ${#alive[@]} -eq 0 ] && break
            sleep 0.1
        done
        # Only those still ours: a pid reused meanwhile belongs to someone else.
        kill_pids KILL "${alive[@]}"
    fi
    # 3. the keeper (child subreaper; it reaped the processes above)
    if [ -f "$RUN/keeper.pid" ]; then
        pid=$(cat "$RUN/keeper.pid")
        if [[ "$pid" =~ ^[0-9]+$ ]] && is_lab_pid "$pid"; then
            sleep 0.2; kill -TERM "$pid" 2>/dev/null || true
        fi
    fi
    # 3b. the unit cgroups the hosts made (fleetlab.py enter_unit), now empty
    python3 "$LAB/fleetlab.py" cgroups-down || true
    # 4. namespaces, veths, bridge
    for ns in $(lab_namespaces); do ip netns del "$ns" 2>/dev/null || true; done
    for f in $(lab_veths); do ip link del "$f" 2>/dev/null || true; done
    ip link show "$BR" >/dev/null 2>&1 && ip link del "$BR"
    ip route del unreachable 10.201.0.0/16 2>/dev/null || true   # the bastion network's (fleetlab.py bastion_up)
    # 5. files (the client key is kept)
    rm -rf /run/fleetports-lab
    # the containers' cgroups (fleetlab.py container_of: cgroup2 .../fleetlab.slice/docker-<id>.scope),
    # removable once their processes are gone (bounded: 2 s)
    for f in $(awk '$3 == "cgroup2" {print $2}' /proc/self/mounts); do
        for t in $(seq 1 20); do
            [ -d "$f/fleetlab.slice" ] || break
            find "$f/fleetlab.slice" -depth -type d -exec rmdir {} + 2>/dev/null || sleep 0.1
        done
    done
    for f in /etc/netns/fplab-*; do
        [ -d "$f" ] && [[ "$(basename "$f")" =~ $NSRE ]] && rm -rf "$f"
    done
    rmdir /etc/netns 2>/dev/null || true   # only if empty
    if [ -d "$RUN" ]; then
        find "$RUN" -mindepth 1 -maxdepth 1 ! -name 'id_ed25519' ! -name 'id_ed25519.pub' -exec rm -rf {} +
    fi
    rm -f "$LAB/../inventory/lab.txt"
    # 6. check
    local left=""
    [ -n "$(lab_namespaces)" ] && left+=" namespaces"
    [ -n "$(lab_veths)" ] && left+=" veths"
    ip link show "$BR" >/dev/null 2>&1 && left+=" bridge"
    for f in $(awk '$3 == "cgroup2" {print $2}' /proc/self/mounts); do [ -d "$f/fleetlab.slice" ] && left+=" cgroup($f/fleetlab.slice)"; done
    for f in /sys/fs/cgroup/fleetlab.slice /sys/fs/cgroup/*/fleetlab.slice; do [ -d "$f" ] && left+=" cgroup($f)"; done
    for pid in "${pids[@]}"; do
        still_running "$pid" "${started[$pid]-}" && left+=" process($pid)"
    done
    [ -z "$left" ] || die "down: left behind:$left"
    say "down: no lab namespaces, veths, bridge or processes left"
}

# ---------------------------------------------------------------- status
cmd_status() {
    local n=0 up=0 ns i pid
    [ -f "$RUN/state" ] && n=$(sed -n 's/^N=//p' "$RUN/state")
    local nns; nns=$(lab_namespaces | { grep -v '^fplab-9' || true; } | wc -l)   # fplab-9NN: the bastion's inner hosts
    echo "lab: state N=${n:-0}, namespaces=$nns, bridge=$(ip link show $BR >/dev/null 2>&1 && echo up || echo absent)"
    for i in $(seq 1 "${n:-0}"); do
        pid=$(cat "$RUN/$(printf lab-%03d "$i")/init.pid" 2>/dev/null || true)
        [ -n "$pid" ] && is_lab_pid "$pid" && up=$((up + 1))
    done
    echo "lab: host init (sshd and services) running on $up/${n:-0} hosts"
    [ "${n:-0}" -gt 0 ] && [ "$up" = "$n" ] && [ "$nns" = "$n" ]
}

# ---------------------------------------------------------------- up
cmd_up() {
    need_root
    local n=${1:-12} i t
    [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 500 ] || die "N must be 1..500 (got '$n')"
    if [ -f "$RUN/state" ] && [ "$(sed -n 's/^N=//p' "$RUN/state")" = "$n" ] && cmd_status >/dev/null 2>&1; then
        say "already up with N=$n"; return 0
    fi
    local t0; t0=$(date +%s.%N)
    ensure_packages
    ensure_users
    cmd_down 2>/dev/null   # clear any previous or half-finished lab

    # preflight: nothing else may own lab addresses
    if ip -o addr show | grep -v " $BR " | grep -qE 'inet 10\.200\.|inet6 fd00:200:'; then
        die "another interface already has an address in 10.200.0.0/16 or fd00:200::/64; refusing"
    fi
    mkdir -p "$RUN"
    [ -f "$RUN/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C fleetports-lab -f "$RUN/id_ed25519"
    cp "$RUN/id_ed25519.pub" "$RUN/authorized_keys"; chmod 0644 "$RUN/authorized_keys"
    chmod 0755 "$RUN"

    # host keys, in parallel: ed25519 everywhere, ECDSA on odd hosts
    for i in $(seq 1 "$n"); do
        d="$RUN/$(printf lab-%03d "$i")"; mkdir -p "$d"
        echo "ed25519 $d/ssh_host_ed25519_key"
        if [ $((i % 2)) = 1 ]; then echo "ecdsa $d/ssh_host_ecdsa_key"; fi
    done | xargs -P "$PAR" -n 2 sh -c 'ssh-keygen -q -t "$0" -N "" -C "" -f "$1"'
    "$PY" "$LAB/fleetlab.py" files "$n"

    # bridge, namespaces, veths (batched; rtnl is serial anyway)
    ip link add "$BR" type bridge stp_state 0
    ip addr add 10.200.0.1/16 dev "$BR"
    ip -6 addr add fd00:200::1/64 dev "$BR" nodad
    ip link set "$BR" up
    for i in $(seq 1 "$n"); do printf 'netns add fplab-%03d\n' "$i"; done | ip -b -
    for i in $(seq 1 "$n"); do
        printf 'link add fpv%03d type veth peer name eth0 netns fplab-%03d\n' "$i" "$i"
        printf 'link set fpv%03d master %s up\n' "$i" "$BR"
    done | ip -b -

    # safety: every lab address must route through the lab bridge before anything connects
    for i in $(seq 1 "$n"); do
        ip route get "$(ipv4_of "$i")" | grep -q " dev $BR " || { cmd_down; die "$(ipv4_of "$i") does not route via $BR; refusing"; }
    done
    ip -6 route get fd00:200::1:1 | grep -q " dev $BR " || { cmd_down; die "fd00:200::1:1 does not route via $BR; refusing"; }

    # hosts: started by the keeper (child subreaper that reaps lab processes later)
    setsid "$PY" "$LAB/fleetlab.py" keeper "$n" "$PAR" </dev/null >>"$RUN/keeper.log" 2>&1 &
    echo $! >"$RUN/keeper.pid"
    for t in $(seq 1 $((600 + 10 * n))); do   # bounded: 60 s + 1 s per host
        [ -f "$RUN/keeper.ready" ] && break
        sleep 0.1
    done
    if [ "$(head -1 "$RUN/keeper.ready" 2>/dev/null)" != ok ]; then
        cat "$RUN/keeper.ready" "$RUN"/lab-*/services.log 2>/dev/null | head -40 >&2 || true
        cmd_down; die "hosts did not come up"
    fi
    echo "N=$n" >"$RUN/state"
    # smoke test: one ssh login (address checked above)
    local out=""
    for t in 1 2 3 4 5; do   # bounded
        out=$(ssh -F "$RUN/ssh_config" lab-001 hostname 2>&1) && break
        sleep 0.5
    done
    [ "$out" = lab-001 ] || { say "smoke ssh to lab-001 failed: $out"; cmd_down; die "lab not usable"; }
    say "up: $n hosts in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s (inventory/lab.txt, lab/run/truth.json, lab/run/ssh_config)"
}

case "${1:-}" in
    up) cmd_up "${2:-12}" ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *) echo "usage: $0 up N | down | status" >&2; exit 2 ;;
esac
