#!/bin/bash
# Issue 22's demonstration on a lab that is up: one whole scan of the lab into SQLite; then four
# `fleetports scan --shard K/4` processes at once into one PostgreSQL 15 (tools/with-postgres.sh:
# a temporary data folder on 127.0.0.1, stopped at the end); `report --fleet` must list every
# host exactly once with the whole scan's listeners.
# Then one listener is opened on one lab host, the four shards scanned again, and `diff --fleet`
# must show exactly that listener. Figures and verdicts go to reports/bench/fleet-shards.md.
# Needs root (the lab), a release build of fleetports, and a PostgreSQL from tools/with-postgres.sh:
#   lab/with-lab.sh 200 -- tools/with-postgres.sh lab/fleet-shards.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN="$ROOT/lab/run"
FP="${FLEETPORTS_BIN:-$ROOT/.build/release/fleetports}"  # FLEETPORTS_BIN: another build, e.g. a debug one on a small lab
OUT="$ROOT/reports/bench"
[ -x "$FP" ] || { echo "fleet-shards: build first: swift build -c release --product fleetports" >&2; exit 2; }
[ -n "${FLEETPORTS_PG_URL:-}" ] || { echo "fleet-shards: run me under tools/with-postgres.sh" >&2; exit 2; }
mkdir -p "$OUT" && chmod 700 "$ROOT/reports" "$OUT"
T=$(mktemp -d /tmp/fp-shards.XXXXXX)
LISTENER_PID=
cleanup() {
  [ -n "$LISTENER_PID" ] && kill -9 "$LISTENER_PID" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
DB="$FLEETPORTS_PG_URL"
SSH=(--known-hosts "$RUN/known_hosts" --identity "$RUN/id_ed25519" --ssh-config /dev/null --timeout 20)
INV="$ROOT/inventory/lab.txt"
hosts=$(grep -c '^root@' "$INV")
now() { date +%s.%N; }

# Four shards at once, each its own process; prints the wall time and fails on any exit code but 0.
shards() {
  local round=$1 start end k status=0 pids=()
  start=$(now)
  for k in 1 2 3 4; do
    "$FP" scan "$INV" --shard "$k/4" --fleet lab --db "$DB" --out "$T/$round-$k" "${SSH[@]}" > "$T/$round-$k.log" 2>&1 &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
  end=$(now)
  [ "$status" = 0 ] || { echo "fleet-shards: a shard scan failed ($status)" >&2; tail -5 "$T"/$round-*.log >&2; exit 1; }
  python3 -c "print(f'{$end - $start:.2f}')"
}

start=$(now)
"$FP" scan "$INV" --out "$T/whole" --db "$T/whole.db" "${SSH[@]}" > "$T/whole.log" 2>&1 || { tail "$T/whole.log" >&2; exit 1; }
whole_wall=$(python3 -c "print(f'{$(now) - $start:.2f}')")
first_wall=$(shards first)
"$FP" report --fleet lab --db "$DB" --out "$T/fleet" > "$T/report.out" 2> "$T/report.err"
cat "$T/report.out"

check_merge=$(python3 - "$T/whole/scan.json" "$T/fleet/scan.json" <<'PY'
import json, sys
whole, fleet = (json.load(open(p)) for p in sys.argv[1:3])
def listeners(scan):
    # A listener as the whole scan and the fleet must agree on it: its text (proto, bind, port) and owner names.
    return {h["name"]: sorted(f'{l["text"]} {",".join(sorted({p["name"] for p in l["socket"].get("processes", [])}))}'
                              for l in h.get("listeners") or []) for h in scan["hosts"]}
names = [h["name"] for h in fleet["hosts"]]
once = len(names) == len(set(names)) and sorted(names) == sorted(h["name"] for h in whole["hosts"])
same = listeners(whole) == listeners(fleet)
count = sum(len(v) for v in listeners(fleet).values())
shards = sorted({h.get("shard") for h in fleet["hosts"]})
ok = sum(h["status"] == "ok" for h in whole["hosts"])
print(f'{"PASS" if once and same else "FAIL"}|{len(names)}|{len(set(names))}|{count}|{same}|{" ".join(shards)}|{ok}')
PY
)

# The mutation: a new listener on lab-007 (namespace fplab-007) on every address.
ip netns exec fplab-007 python3 -c 'import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 18094)); s.listen(); time.sleep(1800)' &
LISTENER_PID=$!
disown "$LISTENER_PID"  # killed by cleanup, without the shell's "Killed" line
for _ in $(seq 50); do ip netns exec fplab-007 ss -Htln 'sport = :18094' | grep -q 18094 && break; sleep 0.1; done
second_wall=$(shards second)
set +e
"$FP" diff --fleet lab --format json --db "$DB" > "$T/diff.json" 2> "$T/diff.err"
diff_status=$?
set -e
check_diff=$(python3 - "$T/diff.json" "$diff_status" "$T/whole/scan.json" <<'PY'
import json, sys
changes, status = json.load(open(sys.argv[1])), int(sys.argv[2])
# lab-007's inventory name, whatever the inventory calls it: the host at its address.
name = next(h["name"] for h in json.load(open(sys.argv[3]))["hosts"] if h["address"] == "10.200.0.17")
listeners = [f'{c["kind"]} {c["host"]} {c["proto"]} {c.get("port")}' for c in changes["listeners"]]
ok = status == 1 and not changes["hosts"] and listeners == [f"new {name} tcp 18094"]
findings = [f'{c["kind"]} {c["finding"]["ruleID"]} {c["finding"]["host"]} {(c["finding"].get("socket") or {}).get("port", "")}'.strip()
            for c in changes["findings"]]
print(f'{"PASS" if ok else "FAIL"}|{status}|{"; ".join(listeners)}|{len(changes["hosts"])}|{len(findings)}{": " if findings else ""}{"; ".join(findings)}')
PY
)
rows=$(psql -X -At "${DB%%\?*}" -c "SELECT COUNT(*) || ' scans, ' || SUM(hostsOK + hostsFailed + hostsNotScanned) || ' host rows, ' || SUM(listenerCount) || ' listener rows' FROM scan")
IFS='|' read -r merge_verdict merge_hosts merge_distinct merge_listeners merge_same merge_shards whole_ok <<< "$check_merge"
IFS='|' read -r diff_verdict diff_code diff_listeners diff_hosts diff_findings <<< "$check_diff"
{
  echo "## Sharded scans into one PostgreSQL ($hosts-host lab, $(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "| step | wall | result |"
  echo "|---|---|---|"
  echo "| whole scan, one process, SQLite | ${whole_wall} s | $whole_ok of $hosts hosts ok |"
  echo "| 4 × \`scan --shard K/4\` at once, PostgreSQL | ${first_wall} s | all exit 0 |"
  echo "| \`report --fleet lab\` | — | $merge_verdict: $merge_hosts hosts ($merge_distinct distinct), shards $merge_shards, $merge_listeners listeners, equal to the whole scan's: $merge_same |"
  echo "| listener opened on lab-007 (10.200.0.17) tcp 0.0.0.0:18094; 4 shards again | ${second_wall} s | all exit 0 |"
  echo "| \`diff --fleet lab\` | — | $diff_verdict: exit $diff_code; listener changes: $diff_listeners; host changes: $diff_hosts; finding changes: $diff_findings |"
  echo "| history in PostgreSQL | — | $rows |"
} | tee "$OUT/fleet-shards.md"
cat "$T/diff.err" "$T/report.err" >&2
[ "$merge_verdict" = PASS ] && [ "$diff_verdict" = PASS ]
