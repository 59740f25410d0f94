#!/bin/bash
# Run a command with a lab of N hosts up, and always tear the lab down afterwards
# (also when the command fails or the script is interrupted). Exits with the command's status.
#   lab/with-lab.sh N -- command args...
set -u
LAB=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 3 ] && [ "$2" = "--" ] || { echo "usage: $0 N -- command args..." >&2; exit 2; }
n=$1; shift 2
child=
cleanup() {
    trap - EXIT INT TERM
    if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi
    "$LAB/lab.sh" down || true
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
"$LAB/lab.sh" up "$n" || exit 1
export FLEETPORTS_LAB_DIR="$LAB"
"$@" &
child=$!
wait "$child"
status=$?
child=
exit "$status"
