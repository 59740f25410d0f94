#!/bin/bash
# An encrypted key against the lab's unencrypted one (issue 17: "an encrypted key and 200 lab hosts:
# controller CPU within 10% of an unencrypted key's"). Run on a lab that is up, by lab/bench.sh or
# alone: lab/with-lab.sh 200 -- lab/bench-keys.sh [RUNS]
# The lab's client key is copied into a private folder and encrypted there (aes256-ctr, bcrypt with
# ssh-keygen's 16 rounds); the passphrase reaches ssh-keygen on its standard input (no terminal, so
# it reads it from there) and fleetports through --passphrase-env, never on a command line. Then
# `fleetports scan` of every host, RUNS times (default 3) with each key, alternating: CPU (user+sys)
# and peak RSS of the fleetports process itself (wait4), wall time. Written to reports/bench/keys.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN="$ROOT/lab/run"
OUT="$ROOT/reports/bench"
RUNS=${1:-3}
BINARY="$ROOT/.build/release/fleetports"
[ -x "$BINARY" ] || { echo "bench-keys: build first: swift build -c release --product fleetports" >&2; exit 1; }
mkdir -p "$OUT" && chmod 700 "$ROOT/reports" "$OUT"
total=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["hosts"]))' "$RUN/truth.json")
python3 -c 'import json,sys; [print("root@" + h["ipv4"]) for h in json.load(open(sys.argv[1]))["hosts"]]' "$RUN/truth.json" > "$OUT/inventory-keys.txt"
# Never connect anywhere but the lab: every address must route through the lab bridge.
for ip in $(sed 's/^root@//' "$OUT/inventory-keys.txt"); do
  ip route get "$ip" | grep -q "dev fpbr0" || { echo "bench-keys: $ip does not route via fpbr0; refusing" >&2; exit 1; }
done
keys=$(mktemp -d)
trap 'rm -rf "$keys"' EXIT
cp "$RUN/id_ed25519" "$keys/plain" && cp "$RUN/id_ed25519" "$keys/encrypted" && chmod 600 "$keys"/*
FP_BENCH_PASSPHRASE=$(head -c 24 /dev/urandom | base64)
export FP_BENCH_PASSPHRASE
printf '%s\n%s\n' "$FP_BENCH_PASSPHRASE" "$FP_BENCH_PASSPHRASE" | setsid -w ssh-keygen -q -p -f "$keys/encrypted" > /dev/null 2>&1 \
  || { echo "bench-keys: ssh-keygen -p failed" >&2; exit 1; }
grep -q "^-----BEGIN OPENSSH PRIVATE KEY" "$keys/encrypted" && ! cmp -s "$keys/plain" "$keys/encrypted" \
  || { echo "bench-keys: the key copy was not encrypted" >&2; exit 1; }
python3 - "$BINARY" "$OUT/inventory-keys.txt" "$RUN/known_hosts" "$keys" "$OUT" "$total" "$RUNS" > "$OUT/keys.md" <<'PY'
import json, os, statistics, subprocess, sys, time
binary, inventory, known_hosts, keys, out, total, runs = sys.argv[1:8]
total, runs = int(total), int(runs)
def scan(kind, index):
    folder = f"{out}/scan-keys-{kind}-{index}"
    argv = [binary, "scan", inventory, "--known-hosts", known_hosts, "--identity", f"{keys}/{kind}", "--ssh-config", "/dev/null",
            "--no-agent", "--parallel", str(total), "--timeout", "120", "--out", folder, "--db", folder + "/history.db"]
    if kind == "encrypted":
        argv += ["--passphrase-env", "FP_BENCH_PASSPHRASE"]
    start = time.monotonic()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - start
    ok = sum(1 for h in json.load(open(folder + "/scan.json"))["hosts"] if h["status"] == "ok")
    return {"cpu": usage.ru_utime + usage.ru_stime, "wall": wall, "ok": ok, "rss": usage.ru_maxrss / 1024, "status": os.waitstatus_to_exitcode(status)}
results = {"plain": [], "encrypted": []}
for index in range(runs):
    for kind in ("plain", "encrypted"):
        results[kind].append(scan(kind, index))
print(f"\n| fleetports scan, {total} hosts | run | ok | exit | controller CPU (user+sys) | wall | peak RSS |")
print("|---|---|---|---|---|---|---|")
for kind in ("plain", "encrypted"):
    label = "unencrypted key" if kind == "plain" else "encrypted key (aes256-ctr, bcrypt 16 rounds)"
    for index, r in enumerate(results[kind], 1):
        print(f"| {label} | {index} | {r['ok']}/{total} | {r['status']} | {r['cpu']:.3f} s | {r['wall']:.2f} s | {r['rss']:.1f} MB |")
median = {kind: statistics.median(r["cpu"] for r in results[kind]) for kind in results}
wall = {kind: statistics.median(r["wall"] for r in results[kind]) for kind in results}
print(f"\nMedian controller CPU: unencrypted {median['plain']:.3f} s, encrypted {median['encrypted']:.3f} s "
      f"({(median['encrypted'] / median['plain'] - 1) * 100:+.1f}%); median wall {wall['plain']:.2f} s and {wall['encrypted']:.2f} s.")
PY
cat "$OUT/keys.md"
