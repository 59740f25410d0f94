#!/bin/bash
# Benchmarks on a lab that is up (run through lab/with-lab.sh by `make bench`):
# 1. the transport: `ss -tuanp` on every host with full parallelism, by fleetports' libssh2
#    transport and by OpenSSH `ssh` under `xargs -P`, at 100 and 200 hosts, plus 1,000
#    sessions in flight; written to reports/bench/transport.md;
# 2. a full `fleetports scan` (collect, parse, write scan.json) of 100 and 200 hosts;
#    written to reports/bench/scan.md;
# 3. the same scan of every host with the lab key encrypted and unencrypted, 3 runs each: controller
#    CPU and wall (lab/bench-keys.sh; reports/bench/keys.md);
# 4. 200 hosts through one bastion beside the same 200 direct (lab/bench-bastion.sh, when the
#    lab has 201 hosts); written to reports/bench/bastion.md;
# 5. the probe's CPU per run on 8 lab hosts for each method, against a bare `ss -tuanp`, with
#    programs started and sshd's CPU per session; reports/bench/probe.md. Every table is printed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN="$ROOT/lab/run"
BENCH="$ROOT/.build/release/fleetports-ssh-bench"
OUT="$ROOT/reports/bench"
mkdir -p "$OUT" && chmod 700 "$ROOT/reports" "$OUT"
total=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["hosts"]))' "$RUN/truth.json")
hosts_file() { python3 -c 'import json,sys; [print(h[sys.argv[3]]) for h in json.load(open(sys.argv[1]))["hosts"][:int(sys.argv[2])]]' "$RUN/truth.json" "$1" "${2:-ipv4}"; }
# Never connect anywhere but the lab: every address must route through the lab bridge.
for ip in $(hosts_file "$total"); do
  ip route get "$ip" | grep -q "dev fpbr0" || { echo "bench: $ip does not route via fpbr0; refusing" >&2; exit 1; }
done
table="$OUT/transport.md"
{
  echo "| client | hosts | sessions | succeeded | wall | client CPU per session | peak RSS | stdout per session |"
  echo "|---|---|---|---|---|---|---|---|"
} > "$table"
for n in 100 200; do
  [ "$n" -le "$total" ] || continue
  hosts_file "$n" > "$OUT/hosts-$n.txt"
  hosts_file "$n" name > "$OUT/names-$n.txt"  # OpenSSH finds each host's key through the lab ssh_config
  "$BENCH" "$RUN/known_hosts" "$RUN/id_ed25519" "$OUT/hosts-$n.txt" 1 "/usr/bin/ss -tuanp" >> "$table"
  # OpenSSH under xargs -P, same hosts, same parallelism (/usr/bin/ss: some lab hosts have no ss on PATH); children's CPU and peak RSS from rusage.
  python3 - "$n" "$OUT/names-$n.txt" "$RUN/ssh_config" >> "$table" <<'PY'
import resource, subprocess, sys, time
n, hosts, config = int(sys.argv[1]), sys.argv[2], sys.argv[3]
start = time.monotonic()
cmd = ["xargs", "-P", str(n), "-I{}", "ssh", "-F", config, "-o", "BatchMode=yes", "-l", "root", "{}", "/usr/bin/ss -tuanp"]
with open(hosts) as stdin:
    proc = subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
wall = time.monotonic() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = usage.ru_utime + usage.ru_stime
ok = "all" if proc.returncode == 0 else "some failed"
# ru_maxrss of children is the largest single child, not the sum of n concurrent ssh processes.
print(f"| OpenSSH ssh, xargs -P {n} | {n} | {n} | {ok} | {wall:.2f} s | {cpu * 1000 / n:.2f} ms | {usage.ru_maxrss / 1024:.1f} MB per process (x{n} at once) | {len(proc.stdout) // n} B |")
PY
done
if [ "$total" -ge 200 ]; then
  "$BENCH" "$RUN/known_hosts" "$RUN/id_ed25519" "$OUT/hosts-200.txt" 5 "/usr/bin/ss -tuanp" >> "$table"
fi
cat "$table"

# 2. Whole scans, measured from outside (children's rusage: CPU and peak RSS of fleetports).
scan_table="$OUT/scan.md"
{
  echo
  echo "| fleetports scan | hosts | ok | wall | client CPU per host | peak RSS |"
  echo "|---|---|---|---|---|---|"
} > "$scan_table"
for n in 100 200; do
  [ "$n" -le "$total" ] || continue
  sed 's/^/root@/' "$OUT/hosts-$n.txt" > "$OUT/inventory-$n.txt"
  python3 - "$n" "$ROOT/.build/release/fleetports" "$OUT/inventory-$n.txt" "$RUN" "$OUT/scan-$n" >> "$scan_table" <<'PY'
import json, resource, subprocess, sys, time
n, binary, inventory, run, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
start = time.monotonic()
proc = subprocess.run([binary, "scan", inventory, "--known-hosts", run + "/known_hosts", "--identity", run + "/id_ed25519",
                       "--ssh-config", "/dev/null", "--parallel", str(n), "--timeout", "120", "--out", out],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
ok = sum(1 for h in json.load(open(out + "/scan.json"))["hosts"] if h["status"] == "ok")
print(f"| --parallel {n} | {n} | {ok} | {wall:.2f} s | {(usage.ru_utime + usage.ru_stime) * 1000 / n:.2f} ms | {usage.ru_maxrss / 1024:.1f} MB |")
PY
done
cat "$scan_table"

# 3. An encrypted key against an unencrypted one (decrypted once per scan, not per host).
"$ROOT/lab/bench-keys.sh" 3

# 4. The bastion (issue 16): lab-002 … lab-201 direct and through lab-001.
if [ "$total" -ge 201 ]; then "$ROOT/lab/bench-bastion.sh"; fi

# 5. The probe's CPU on lab hosts (issue 18 states it before and after process identity):
#    each method's probe as a scan sends it, 10 runs on each of the first 8 hosts, run inside the
#    host's namespaces as root; the shell's and its children's CPU (rusage) less a bare `true`.
probes="$OUT/probes"
mkdir -p "$probes"
specs=()
for m in ss netstat lsof proc; do
  "$ROOT/.build/release/fleetports-bench" probe-script "$m" > "$probes/probe-$m.sh"
  specs+=("$m=$probes/probe-$m.sh")
  [ "$m" != ss ] || specs+=("ss@fpuser=$probes/probe-ss.sh")
done
# Per host too: its process count, a bare `ss -tuanp`'s CPU, each probe's ratio to it and the
# programs it starts (strace); then 4 hosts' sshd CPU per session, fleetports scan against a
# peer's `ss -tuanp` (issue 20).
BENCH_FLEETPORTS="$ROOT/.build/release/fleetports" BENCH_SSHD_HOSTS=4 BENCH_SSHD_SESSIONS=20 \
  python3 "$ROOT/lab/bench-probe.py" 10 8 "${specs[@]}" > "$OUT/probe.md"
cat "$OUT/probe.md"
