#!/bin/bash
# Run a command with a lab of N hosts up, and always tear the lab down afterwards
# (also when the command fails or the script is interrupted). Exits with the command's status.
#   lab/with-lab.sh N -- command args...
set -u
LAB=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 3 ] && [ "$2" = "--" ] || { echo "usage: $0 N -- command args..." >&2; exit 2; }
n=$1; shift 2
# One lab per machine: every checkout's lab uses the same namespace names, bridge and addresses, so a
# second with-lab.sh (another worktree, another terminal) waits here until the first has torn down.
# The lab and the command run with the lock's descriptor closed, so no daemon outlives it holding it.
exec 9>/run/lock/fleetports-lab.lock
if ! flock -n 9; then
    echo "lab: another lab is up on this machine; waiting up to ${LAB_LOCK_WAIT:-3600} s for it" >&2
    flock -w "${LAB_LOCK_WAIT:-3600}" 9 || { echo "lab: still busy; giving up" >&2; exit 1; }
fi
child=
cleanup() {
    trap - EXIT INT TERM
    if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi
    "$LAB/lab.sh" down 9>&- || true
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
"$LAB/lab.sh" up "$n" 9>&- || exit 1
export FLEETPORTS_LAB_DIR="$LAB"
"$@" 9>&- &
child=$!
wait "$child"
status=$?
child=
exit "$status"
