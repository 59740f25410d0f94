#!/bin/bash
# The bastion benchmark (issue 16), on a lab that is up with at least 201 hosts (make bench):
# the same 200 hosts (lab-002 … lab-201) scanned directly and through lab-001 as a bastion
# (ProxyJump: one jump session, 200 direct-tcpip channels), each by a whole `fleetports scan`
# at --parallel 200. Measured from outside: wall time, fleetports' CPU (children's rusage)
# per host, peak RSS, hosts ok. Written to reports/bench/bastion.md and printed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN="$ROOT/lab/run"
OUT="$ROOT/reports/bench"
BIN="$ROOT/.build/release/fleetports"
mkdir -p "$OUT" && chmod 700 "$ROOT/reports" "$OUT"
total=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["hosts"]))' "$RUN/truth.json")
[ "$total" -ge 201 ] || { echo "bench-bastion: needs a lab of 201 hosts (has $total)" >&2; exit 1; }
bastion=$(python3 -c 'import json,sys; h=json.load(open(sys.argv[1]))["hosts"][0]; print(h["ipv4"])' "$RUN/truth.json")
python3 -c 'import json,sys; [print("root@" + h["ipv4"]) for h in json.load(open(sys.argv[1]))["hosts"][1:201]]' "$RUN/truth.json" > "$OUT/bastion-inventory.txt"
# Never connect anywhere but the lab.
while read -r entry; do
  ip route get "${entry#root@}" | grep -q "dev fpbr0" || { echo "bench-bastion: ${entry#root@} does not route via fpbr0; refusing" >&2; exit 1; }
done < "$OUT/bastion-inventory.txt"
# Every host but the bastion itself goes through it.
cat > "$OUT/bastion-ssh_config" <<CFG
Host 10.200.* !$bastion
  ProxyJump root@$bastion
CFG
table="$OUT/bastion.md"
{
  echo "| fleetports scan, 200 lab hosts | ok | wall | controller CPU per host | peak RSS |"
  echo "|---|---|---|---|---|"
} > "$table"
for mode in direct bastion; do
  config=/dev/null
  [ "$mode" = bastion ] && config="$OUT/bastion-ssh_config"
  python3 - "$BIN" "$OUT/bastion-inventory.txt" "$RUN" "$OUT/scan-$mode" "$config" "$mode" >> "$table" <<'PY'
import json, resource, subprocess, sys, time
binary, inventory, run, out, config, mode = sys.argv[1:7]
before = resource.getrusage(resource.RUSAGE_CHILDREN)
start = time.monotonic()
subprocess.run([binary, "scan", inventory, "--known-hosts", run + "/known_hosts", "--identity", run + "/id_ed25519",
                "--ssh-config", config, "--parallel", "200", "--jump-channels", "200", "--timeout", "120",
                "--no-agent", "--out", out], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - start
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
hosts = json.load(open(out + "/scan.json"))["hosts"]
ok = sum(1 for h in hosts if h["status"] == "ok")
label = "direct, --parallel 200" if mode == "direct" else "through one bastion (1 jump session, 200 channels)"
print(f"| {label} | {ok}/{len(hosts)} | {wall:.2f} s | {cpu * 1000 / len(hosts):.2f} ms | {after.ru_maxrss / 1024:.1f} MB |")
PY
done
cat "$table"
