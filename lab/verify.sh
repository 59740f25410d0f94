#!/bin/sh
# Compare every lab host (over ssh, after an `ip route get` check) with lab/run/truth.json.
# Exits non-zero on any difference. Usage: lab/verify.sh [PARALLEL]
set -eu
LAB=$(cd "$(dirname "$0")" && pwd)
[ -f "$LAB/run/truth.json" ] || { echo "verify: no lab is up (lab/run/truth.json missing)" >&2; exit 2; }
exec /usr/bin/python3 "$LAB/fleetlab.py" verify "${1:-8}"
