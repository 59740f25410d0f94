#!/bin/bash
# Benchmarks on a lab that is up (run through lab/with-lab.sh by `make bench`):
# 1. the transport: `ss -tuanp` on every host with full parallelism, by fleetports' libssh2
#    transport and by OpenSSH `ssh` under `xargs -P`, at 100 and 200 hosts, plus 1,000
#    sessions in flight; written to reports/bench/transport.md;
# 2. whole `fleetports scan`s (collect, parse, analyse, store, every report format) of 100 and 200
#    hosts, 250 sessions in flight and 1,000 (500 hosts by IPv4 and IPv6): controller CPU per host,
#    peak RSS and the lab's CPU, then the controller's steps after collection on the 200-host
#    scan (fleetports-bench controller); written to reports/bench/scan.md;
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
for ip in $(hosts_file "$total") $(hosts_file "$total" ipv6); do
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

# 2. Whole scans, measured from outside (wait4 rusage of fleetports: CPU and peak RSS), every
#    report format on and the history in a database of the bench's own: 100 and 200 hosts,
#    250 sessions in flight, and 1,000 (a lab of 500 hosts, each by IPv4 and by IPv6). Each
#    inventory is scanned twice and the second scan is the row: as in daily use, the history
#    then holds the previous scan and the reports show the changes since it. The lab's side is
#    the CPU its sshd processes and their children (the probes) used meanwhile.
scan_table="$OUT/scan.md"
{
  echo
  echo "| fleetports scan | targets | ok | wall | client CPU per host | peak RSS | lab hosts' CPU (sshd + probe) |"
  echo "|---|---|---|---|---|---|---|"
} > "$scan_table"
history="$OUT/scan-history"
rm -rf "$history" && mkdir -m 700 "$history"
scan_row() {  # scan_row NAME TARGETS PARALLEL INVENTORY
  python3 - "$2" "$3" "$ROOT/.build/release/fleetports" "$4" "$RUN" "$OUT/scan-$1" "$history/fleetports.db" >> "$scan_table" <<'PY'
import json, os, subprocess, sys, time
n, parallel, binary, inventory, run, out, db = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
def lab_cpu():
    """utime+stime+cutime+cstime of every sshd: each lab host's listener collects its sessions' and probes' CPU once they end."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            raw = open(f"/proc/{pid}/stat").read()
        except OSError:
            continue
        name, _, rest = raw.partition(") ")
        if name.endswith("(sshd") or "(sshd" in name:
            total += sum(int(x) for x in rest.split()[11:15])
    return total / os.sysconf("SC_CLK_TCK")
def scan(folder):
    return [binary, "scan", inventory, "--known-hosts", run + "/known_hosts", "--identity", run + "/id_ed25519", "--ssh-config", "/dev/null",
            "--parallel", parallel, "--timeout", "300", "--out", folder, "--db", db, "--format", "html,md,json,sarif,junit"]
subprocess.run(scan(out + "-first"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fills the history
lab0 = lab_cpu()
start = time.monotonic()
# This scan's own rusage (wait4): its CPU and its peak RSS alone. A child's ru_maxrss counts
# the pages it shared with this script before exec, so nothing large is loaded here before it.
child = subprocess.Popen(scan(out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, _, usage = os.wait4(child.pid, 0)
child.returncode = 0  # reaped above
wall = time.monotonic() - start
time.sleep(1)  # the last sessions' sshd processes are reaped
lab = lab_cpu() - lab0
cpu = usage.ru_utime + usage.ru_stime
ok = sum(1 for h in json.load(open(out + "/scan.json"))["hosts"] if h["status"] == "ok")
print(f"| --parallel {parallel} | {n} | {ok} | {wall:.2f} s | {cpu * 1000 / n:.2f} ms | {usage.ru_maxrss / 1024:.1f} MB | {lab:.1f} s ({lab / wall:.2f} cores) |")
PY
}
for n in 100 200; do
  [ "$n" -le "$total" ] || continue
  sed 's/^/root@/' "$OUT/hosts-$n.txt" > "$OUT/inventory-$n.txt"
  scan_row "$n" "$n" "$n" "$OUT/inventory-$n.txt"
done
if [ "$total" -ge 250 ]; then
  hosts_file 250 | sed 's/^/root@/' > "$OUT/inventory-250.txt"
  scan_row 250 250 250 "$OUT/inventory-250.txt"
fi
if [ "$total" -ge 500 ]; then
  # 1,000 targets from 500 hosts: each host by its IPv4 and its IPv6 address (two servers to
  # --per-server, one known_hosts line), so half the lab's memory and start-up of 1,000 hosts.
  { hosts_file 500 | sed 's/^/root@/'; hosts_file 500 ipv6 | sed 's/^\(.*\)$/root@[\1]/'; } > "$OUT/inventory-1000.txt"
  scan_row 1000 1000 1000 "$OUT/inventory-1000.txt"
fi
# Where the controller's own CPU goes after collection, on the 200-host scan just made: scan.json
# and the diff basis encoded, the basis decoded and diffed, each report rendered, per host.
if [ -f "$OUT/scan-200/scan.json" ]; then
  { echo; "$ROOT/.build/release/fleetports-bench" controller "$OUT/scan-200/scan.json"; } >> "$scan_table"
fi
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
