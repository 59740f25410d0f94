#!/usr/bin/env python3
"""`make bench-peers`: fleetports side by side with the tools people use today, on one lab.

Every tool collects `ss -tuanp` from the same hosts with the same parallelism:
  fleetports scan   its whole job: collect, parse, analyse, write scan.json + HTML + Markdown, store history
  OpenSSH           ssh under xargs -P
  pssh              Debian's parallel-ssh command (OpenSSH underneath)
  parallel-ssh      the Python library (libssh2 through ssh2-python, gevent)
  asyncssh          the Python library (pure Python SSH on asyncio)
  ansible           ansible-core ad hoc, `ansible all -m command` (OpenSSH underneath)

LAN: 100 and 200 hosts, BENCH_RUNS runs each (default 3), rounds interleaved so drift hits
every tool alike. WAN: the same at 200 hosts behind lab/delay-proxy.py (100 ms round trip),
which also counts the round trips each tool needs per host.

Measured from outside: wall time; client CPU from wait4() rusage of the tool and of anything
it left behind (this process is a child subreaper, so orphans such as Ansible's ssh control
masters come back here and are reaped and counted); peak RSS as the largest sum of VmRSS over
the tool's process tree, sampled every 100 ms (shared pages count once per process, as `ps`
would); hosts succeeded from each tool's own output (exit status 0 and ss's header line).

Run by `make bench-peers` inside lab/with-lab.sh with the peers' virtualenv's python.
Writes reports/bench/peers.md (printed) and reports/bench/peers.json.
"""
import ctypes
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

LAB = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, LAB)
import fleetlab  # noqa: E402  (the lab's own route check)
ROOT = os.path.dirname(LAB)
RUN = os.path.join(LAB, "run")
OUT = os.path.join(ROOT, "reports", "bench")
WORK = os.path.join(ROOT, ".build-peers", "work")
FLEETPORTS = os.path.join(ROOT, ".build", "release", "fleetports")
VENV_PY = sys.executable  # the peers' virtualenv runs this script
COMMAND = "/usr/bin/ss -tuanp"  # absolute: some lab hosts have no ss on PATH
PARALLEL = int(os.environ.get("BENCH_PARALLEL", "100"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "100,200").split(",")]
WAN_SIZE = int(os.environ.get("BENCH_WAN_SIZE", "200"))
WAN_RTT_MS = 100
WAN_PORT = 2222
TOOL_TIMEOUT = 900
PAGE = os.sysconf("SC_PAGE_SIZE")


def log(msg):
    print("bench-peers: " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- hosts and their files

def lab_hosts():
    with open(os.path.join(RUN, "truth.json")) as f:
        return [h["ipv4"] for h in json.load(f)["hosts"]]


def check_routes(addresses):
    """Never connect anywhere but the lab: every address must route through the lab bridge."""
    for ip in addresses:
        if not fleetlab.route_ok(ip):
            sys.exit("bench-peers: %s does not route via fpbr0; refusing" % ip)


def known_hosts_for(port):
    """The lab's known_hosts, with entries written as [ip]:port when the port is not 22."""
    path = os.path.join(RUN, "known_hosts")
    if port == 22:
        return path
    out = os.path.join(WORK, "known_hosts-%d" % port)
    with open(path) as f, open(out, "w") as o:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                names = ",".join("[%s]:%d" % (n, port) for n in parts[0].split(","))
                o.write("%s %s %s\n" % (names, parts[1], parts[2]))
    return out


def openssh_options(port, known_hosts):
    identity = os.path.join(RUN, "id_ed25519")
    return ["-F", "/dev/null", "-p", str(port), "-l", "root", "-i", identity, "-o", "IdentitiesOnly=yes",
            "-o", "UserKnownHostsFile=" + known_hosts, "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=60",
            "-o", "LogLevel=ERROR"]


def has_ss_output(path):
    try:
        with open(path, "rb") as f:
            return f.read(5) == b"Netid"
    except OSError:
        return False


# ---------------------------------------------------------------- the tools

class Job:
    """One tool run: its command line, environment, and how to count the hosts it got."""

    def __init__(self, argv, count, env=None, stdout=None):
        self.argv, self.count, self.env, self.stdout = argv, count, env, stdout


def job_fleetports(hosts, port, work):
    inventory = os.path.join(work, "inventory.txt")
    with open(inventory, "w") as f:
        f.writelines("root@%s:%d\n" % (h, port) for h in hosts)
    out = os.path.join(work, "out")
    argv = [FLEETPORTS, "scan", inventory, "--known-hosts", known_hosts_for(port),
            "--identity", os.path.join(RUN, "id_ed25519"), "--ssh-config", "/dev/null", "--no-agent",
            "--parallel", str(PARALLEL), "--timeout", "120", "--out", out, "--db", os.path.join(work, "db", "fleetports.db")]

    def count():
        with open(os.path.join(out, "scan.json")) as f:
            return sum(1 for h in json.load(f)["hosts"] if h["status"] == "ok")
    return Job(argv, count)


def job_openssh(hosts, port, work):
    listing = os.path.join(work, "hosts.txt")
    with open(listing, "w") as f:
        f.writelines(h + "\n" for h in hosts)
    outdir = os.path.join(work, "out")
    os.makedirs(outdir)
    opts = " ".join(openssh_options(port, known_hosts_for(port)))
    script = 'ssh %s "$1" %s > "%s/$1"; echo $? > "%s/$1.rc"' % (opts, COMMAND, outdir, outdir)
    argv = ["sh", "-c", 'exec xargs -P %d -n 1 sh -c \'%s\' sh < "%s"' % (PARALLEL, script, listing)]

    def ok(h):
        try:
            with open(os.path.join(outdir, h + ".rc")) as f:
                return f.read().strip() == "0" and has_ss_output(os.path.join(outdir, h))
        except OSError:
            return False
    return Job(argv, lambda: sum(ok(h) for h in hosts))


def job_pssh(hosts, port, work):
    listing = os.path.join(work, "hosts.txt")
    with open(listing, "w") as f:
        f.writelines("%s:%d\n" % (h, port) for h in hosts)
    outdir = os.path.join(work, "out")
    kh = known_hosts_for(port)
    argv = ["parallel-ssh", "-h", listing, "-p", str(PARALLEL), "-t", "120", "-l", "root", "-o", outdir,
            "-x", " ".join(o for o in openssh_options(port, kh) if o not in ("-p", str(port))), COMMAND]
    stdout = os.path.join(work, "stdout")

    def count():
        # pssh prints "[n] time [SUCCESS] host:port" for exit 0, "[FAILURE]" otherwise.
        with open(stdout, errors="replace") as f:
            succeeded = {line.split()[-1] for line in f if "[SUCCESS]" in line}
        return sum("%s:%d" % (h, port) in succeeded and has_ss_output(os.path.join(outdir, "%s:%d" % (h, port))) for h in hosts)
    return Job(argv, count, stdout=stdout)


PARALLEL_SSH_SCRIPT = r'''
import json, sys
from pssh.clients import ParallelSSHClient
hosts, port, identity, command, parallel = json.loads(sys.argv[1])
# parallel-ssh checks no host keys (it has no known_hosts option); the others all do.
client = ParallelSSHClient(hosts, user="root", pkey=identity, port=port, pool_size=parallel, timeout=120, num_retries=1,
                           allow_agent=False)
output = client.run_command(command, stop_on_errors=False)
client.join(output)
ok = 0
for host_out in output:
    if host_out.exception is not None:
        continue
    text = "\n".join(host_out.stdout)
    if host_out.exit_code == 0 and text.startswith("Netid"):
        ok += 1
print(ok)
'''

ASYNCSSH_SCRIPT = r'''
import asyncio, json, sys
import asyncssh
hosts, port, identity, command, parallel, known_hosts = json.loads(sys.argv[1])
async def one(host, gate):
    async with gate:
        try:
            async with asyncssh.connect(host, port=port, username="root", client_keys=[identity],
                                        known_hosts=known_hosts, agent_path=None, config=[], connect_timeout=60) as conn:
                result = await asyncio.wait_for(conn.run(command), 120)
                return result.exit_status == 0 and result.stdout.startswith("Netid")
        except (OSError, asyncssh.Error, asyncio.TimeoutError):
            return False
async def main():
    gate = asyncio.Semaphore(parallel)
    print(sum(await asyncio.gather(*(one(h, gate) for h in hosts))))
asyncio.run(main())
'''


def counted_from_stdout(path):
    def count():
        with open(path) as f:
            lines = f.read().split()
        return int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return count


def job_parallel_ssh(hosts, port, work):
    stdout = os.path.join(work, "stdout")
    args = json.dumps([hosts, port, os.path.join(RUN, "id_ed25519"), COMMAND, PARALLEL])
    return Job([VENV_PY, "-c", PARALLEL_SSH_SCRIPT, args], counted_from_stdout(stdout), stdout=stdout)


def job_asyncssh(hosts, port, work):
    stdout = os.path.join(work, "stdout")
    args = json.dumps([hosts, port, os.path.join(RUN, "id_ed25519"), COMMAND, PARALLEL, known_hosts_for(port)])
    return Job([VENV_PY, "-c", ASYNCSSH_SCRIPT, args], counted_from_stdout(stdout), stdout=stdout)


def job_ansible(hosts, port, work):
    inventory = os.path.join(work, "inventory.ini")
    kh = known_hosts_for(port)
    with open(inventory, "w") as f:
        f.write("[lab]\n")
        f.writelines("%s ansible_port=%d\n" % (h, port) for h in hosts)
        f.write("[lab:vars]\nansible_user=root\nansible_ssh_private_key_file=%s\n" % os.path.join(RUN, "id_ed25519"))
        f.write("ansible_python_interpreter=/usr/bin/python3\n")
        f.write("ansible_ssh_common_args='-o UserKnownHostsFile=%s -o GlobalKnownHostsFile=/dev/null "
                "-o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'\n" % kh)
    stdout = os.path.join(work, "stdout")
    config = os.path.join(work, "ansible.cfg")  # empty: defaults, and no ansible.cfg of the caller's
    open(config, "w").close()
    env = dict(os.environ, ANSIBLE_CONFIG=config, ANSIBLE_HOME=os.path.join(work, "ansible-home"),
               ANSIBLE_LOCAL_TEMP=os.path.join(work, "ansible-tmp"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_SSH_CONTROL_PATH_DIR=os.path.join(work, "cp"), ANSIBLE_TIMEOUT="60",
               ANSIBLE_DEPRECATION_WARNINGS="0", ANSIBLE_LOCALHOST_WARNING="0")
    argv = [os.path.join(os.path.dirname(VENV_PY), "ansible"), "all", "-i", inventory, "-m", "command",
            "-a", COMMAND, "-f", str(PARALLEL), "-o"]

    def count():
        with open(stdout, errors="replace") as f:
            return sum(1 for line in f if " | CHANGED | rc=0 | (stdout) Netid" in line)
    return Job(argv, count, env=env, stdout=stdout)


TOOLS = [("fleetports scan", job_fleetports), ("OpenSSH ssh, xargs -P", job_openssh), ("pssh", job_pssh),
         ("parallel-ssh (Python)", job_parallel_ssh), ("asyncssh", job_asyncssh), ("ansible-core ad hoc", job_ansible)]


# ---------------------------------------------------------------- measuring a process tree

def stat_fields(pid):
    """/proc/<pid>/stat after the command name (field 3 on), or None when the process is gone."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read()
        return stat[stat.rindex(b")") + 2:].split()
    except (OSError, ValueError):
        return None


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of every process below this one (but `exclude`), every 100 ms."""

    def __init__(self, exclude):
        super().__init__(daemon=True)
        self.me, self.exclude = os.getpid(), set(exclude)
        self.parent = {}
        self.peak = 0
        self.done = threading.Event()

    def sample(self):
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            fields = stat_fields(pid)
            if fields:
                self.parent[pid] = int(fields[1])
            else:
                self.parent.pop(pid, None)
        total = 0
        for pid in list(self.parent):
            p, hops = pid, 0
            while p in self.parent and p != self.me and p not in self.exclude and hops < 64:
                p, hops = self.parent[p], hops + 1
            if p == self.me and pid != self.me and pid not in self.exclude:
                try:
                    with open("/proc/%d/statm" % pid) as f:
                        total += int(f.read().split()[1]) * PAGE
                except (OSError, ValueError, IndexError):
                    pass
        self.peak = max(self.peak, total)

    def run(self):
        while not self.done.wait(0.1):
            self.sample()


def own_children(exclude):
    kids = []
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in exclude:
            fields = stat_fields(int(name))
            if fields and int(fields[1]) == os.getpid():
                kids.append(int(name))
    return kids


TICK = os.sysconf("SC_CLK_TCK")


def machine_cpu():
    """CPU seconds the whole machine has spent busy (user, nice, system, irq, softirq; not steal)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (sum(fields[:3]) + sum(fields[5:7])) / TICK


def process_cpu(pid):
    fields = stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / TICK if fields else 0.0


def measure(job, work, exclude):
    log_path = os.path.join(work, "log")
    stdout = open(job.stdout or log_path, "w")
    stderr = open(log_path, "a")
    sampler = TreeSampler(exclude)
    sampler.start()
    machine0, own0, others0 = machine_cpu(), sum(os.times()[:2]), sum(process_cpu(pid) for pid in exclude)
    start = time.monotonic()
    proc = subprocess.Popen(job.argv, cwd=work, env=job.env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                            start_new_session=True)
    timer = threading.Timer(TOOL_TIMEOUT, lambda: os.killpg(proc.pid, signal.SIGKILL))
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    # Anything the tool left running (ssh control masters) was reparented here: stop, reap, count.
    for pid in own_children(exclude):
        try:
            os.kill(pid, signal.SIGTERM)
            for _ in range(50):  # 5 s, then SIGKILL: an orphan that ignores TERM must not hang the run
                reaped, _, left = os.wait4(pid, os.WNOHANG)
                if reaped:
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, signal.SIGKILL)
                _, _, left = os.wait4(pid, 0)
            cpu += left.ru_utime + left.ru_stime
        except (ProcessLookupError, ChildProcessError):
            pass
    sampler.done.set()
    sampler.join()
    # What the lab's hosts spent (sshd, shells, the commands): the machine's busy time less
    # the tool's, this script's (sampler included) and the delay proxy's.
    lab = machine_cpu() - machine0 - cpu - (sum(os.times()[:2]) - own0) - (sum(process_cpu(pid) for pid in exclude) - others0)
    stdout.close()
    stderr.close()
    try:
        ok = job.count()
    except (OSError, ValueError, KeyError):
        ok = 0
    return {"wall": wall, "cpu": cpu, "lab_cpu": max(lab, 0.0), "rss": sampler.peak, "ok": ok, "exit": proc.returncode}


# ---------------------------------------------------------------- the delay proxy and its counts

class DelayProxy:
    def __init__(self, n):
        self.stats = os.path.join(WORK, "proxy-stats.jsonl")
        open(self.stats, "w").close()
        self.proc = subprocess.Popen([sys.executable, os.path.join(LAB, "delay-proxy.py"), str(n), str(WAN_PORT),
                                      str(WAN_RTT_MS / 2), self.stats], stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            sys.exit("bench-peers: the delay proxy did not start")

    def offset(self):
        return os.path.getsize(self.stats)

    def per_host(self, since):
        """Connections and round trips per host for the records after `since`."""
        time.sleep(0.5)  # last closes are delayed by the proxy too
        hosts = {}
        with open(self.stats) as f:
            f.seek(since)
            for line in f:
                r = json.loads(line)
                c, t = hosts.get(r["host"], (0, 0))
                hosts[r["host"]] = (c + 1, t + r["round_trips"])
        return hosts

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


# ---------------------------------------------------------------- the runs

def run_set(label, hosts, port, proxy=None):
    exclude = [proxy.proc.pid] if proxy else []
    results = {name: [] for name, _ in TOOLS}
    for r in range(RUNS):
        # Each round starts with another tool, so no tool always follows the same one.
        for name, make in TOOLS[r % len(TOOLS):] + TOOLS[:r % len(TOOLS)]:
            work = os.path.join(WORK, label, name.split()[0].lower(), str(r))
            shutil.rmtree(work, ignore_errors=True)
            os.makedirs(work)
            job = make(hosts, port, work)
            since = proxy.offset() if proxy else 0
            m = measure(job, work, exclude)
            if proxy:
                per_host = proxy.per_host(since)
                m["connections"] = statistics.median([c for c, _ in per_host.values()]) if per_host else 0
                m["round_trips"] = statistics.median([t for _, t in per_host.values()]) if per_host else 0
                m["round_trips_max"] = max([t for _, t in per_host.values()], default=0)
                m["connections_max"] = max([c for c, _ in per_host.values()], default=0)
            results[name].append(m)
            log("%s run %d/%d %-22s %6.2f s  %5.2f ms CPU/host  lab %5.1f ms/host  %4d/%d ok  %5.0f MB%s" % (
                label, r + 1, RUNS, name, m["wall"], m["cpu"] * 1000 / len(hosts), m["lab_cpu"] * 1000 / len(hosts),
                m["ok"], len(hosts), m["rss"] / 2**20,
                "  %.0f round trips/host over %.0f connection(s)" % (m["round_trips"], m["connections"]) if proxy else ""))
            time.sleep(1)  # let the lab's sshd sessions end before the next tool
    return results


def row(name, n, runs, wan):
    walls = sorted(m["wall"] for m in runs)
    cpu = statistics.median(m["cpu"] for m in runs) * 1000 / n
    rss = max(m["rss"] for m in runs) / 2**20
    ok = min(m["ok"] for m in runs)
    lab = statistics.median(m["lab_cpu"] for m in runs) * 1000 / n
    cells = [name, str(n), "%d/%d" % (ok, n), "%.2f s" % statistics.median(walls), "%.2f–%.2f s" % (walls[0], walls[-1]),
             "%.2f ms" % cpu, "%.0f MB" % rss, "%.0f ms" % lab]
    if wan:
        cells += ["%g (max %g)" % (statistics.median(m["connections"] for m in runs), max(m["connections_max"] for m in runs)),
                  "%g (max %g)" % (statistics.median(m["round_trips"] for m in runs), max(m["round_trips_max"] for m in runs))]
    return "| " + " | ".join(cells) + " |"


def table(title, sets, wan):
    head = ["tool", "hosts", "succeeded (worst run)", "wall, median", "wall, range", "client CPU per host", "peak RSS",
            "lab hosts' CPU per host"]
    if wan:
        head += ["SSH connections per host, median", "round trips per host, median"]
    lines = ["### " + title, "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for n, results in sets:
        for name, _ in TOOLS:
            lines.append(row(name, n, results[name], wan))
    return "\n".join(lines)


def main():
    if os.geteuid() != 0:
        sys.exit("bench-peers: needs root (the lab)")
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans of a tool come back here to be counted
    for binary in (FLEETPORTS, shutil.which("parallel-ssh"), shutil.which("xargs")):
        if not binary or not os.access(binary, os.X_OK):
            sys.exit("bench-peers: missing %s (run through `make bench-peers`)" % binary)
    all_hosts = lab_hosts()
    sizes = [n for n in SIZES if n <= len(all_hosts)]
    check_routes(all_hosts[:max(sizes + [WAN_SIZE if WAN_SIZE <= len(all_hosts) else 0])])
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    os.makedirs(OUT, exist_ok=True)
    os.chmod(os.path.join(ROOT, "reports"), 0o700)

    lan = [(n, run_set("lan-%d" % n, all_hosts[:n], 22)) for n in sizes]
    wan = []
    if WAN_SIZE <= len(all_hosts):
        proxy = DelayProxy(WAN_SIZE)
        try:
            wan = [(WAN_SIZE, run_set("wan-%d" % WAN_SIZE, all_hosts[:WAN_SIZE], WAN_PORT, proxy))]
        finally:
            proxy.stop()

    cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    report = [
        "## fleetports and its peers: `%s` on every lab host" % COMMAND, "",
        "%s; %d cores; lab sshd and the client share them. Parallelism %d for every tool; %d runs each, rounds "
        "interleaved. Client CPU is the tool's own (and its children's) user+system time divided by hosts; "
        "peak RSS is the largest sum over the tool's process tree. The lab hosts' CPU is what sshd and the "
        "remote commands cost (the machine's busy time less the tool's, this script's and the delay proxy's): "
        "the lab runs on the same cores, so it is part of every wall time here. fleetports does its whole job "
        "(the probe: ss, /proc/net, owners' identities, the firewall as root; parse, analyse, scan.json + HTML + "
        "Markdown, history database); the peers only fetch `ss -tuanp`, and fail on the lab hosts without ss, "
        "which fleetports still scans. Every tool checks host keys against known_hosts except the parallel-ssh "
        "library, which has no such option." % (cpu_model, os.cpu_count(), PARALLEL, RUNS), "",
        table("LAN (lab bridge)", lan, wan=False), ""]
    if wan:
        report += [table("WAN: %d ms round trip (lab/delay-proxy.py), %d hosts" % (WAN_RTT_MS, WAN_SIZE), wan, wan=True), "",
                   "Round trips per host as the delay proxy saw them at the server: the server answering after "
                   "the client's data reached it, summed over the host's SSH connections. Each TCP connection adds one "
                   "more for its handshake, which the proxy does not delay.", ""]
    text = "\n".join(report)
    with open(os.path.join(OUT, "peers.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(OUT, "peers.json"), "w") as f:
        json.dump({"parallel": PARALLEL, "runs": RUNS, "lan": lan, "wan": wan}, f, indent=1)
    print(text)


if __name__ == "__main__":
    main()
