#!/usr/bin/python3
"""The probe's CPU on lab hosts: each probe script given is run as root inside a lab host's
namespaces (network, PID, mount and UTS, entered with nsenter through the host's PID 1 in
lab/run/lab-NNN/init.pid, `/bin/sh -s` with the script on stdin, as sshd would run it; a lab
without init.pid: `ip netns exec`),
RUNS times per host, and the CPU of the shell and everything it started (children's rusage)
is reported per run, less the same launcher running `true`. Needs a lab that is up.

Per host it also reports the processes in that host's PID namespace, the CPU of a bare
`ss -tuanp` there (the same launcher and subtraction), each probe's ratio to it, and the
programs each probe starts (successful execve under `strace -f`, the launcher left out, plus
one for the login shell sshd would start).

With BENCH_FLEETPORTS=<fleetports binary>, BENCH_SSHD_HOSTS=K and BENCH_SSHD_SESSIONS=N, it
then reads the first K hosts' sshd CPU (utime+stime+cutime+cstime of the listening sshd in
/proc/<pid>/stat: its session children are reaped into it) before and after N sessions of
(a) `fleetports scan` of that host and (b) a peer's `ss -tuanp` over SSH (asyncssh from
.build-peers/venv when `make peers-setup` made it, else OpenSSH `ssh`), per session.

The quiet-host table and the sshd table also show the floor (FLOORS): the programs the
root probe starts, each doing nothing, so a ratio can be read against what any probe with
these reads must cost.

A LABEL ending in @USER runs its script as USER (runuser; its baseline too): root's probe
reads the firewall, a non-root one does not.

  bench-probe.py RUNS HOSTS LABEL=SCRIPT [LABEL=SCRIPT ...]   prints Markdown tables
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

LAB = os.path.dirname(os.path.abspath(__file__))


def children_cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def inside(host):
    """The command prefix that runs inside `host`: its own PID and cgroup namespaces too, so the
    probe walks that host's processes and cgroups only (not every lab host's), as on a real machine."""
    pid_file = os.path.join(LAB, "run", host["name"], "init.pid")
    if os.path.exists(pid_file):
        with open(pid_file) as f:
            pid = f.read().strip()
        return ["nsenter", "--target", pid, "--net", "--uts", "--mount", "--pid", "--cgroup", "--"]
    return ["ip", "netns", "exec", host["namespace"]]


def shell(user):
    """`/bin/sh -s`, as root or, for a label ending in @USER, as USER (runuser, as the lab's
    non-root login would run it; its own cost is in the baseline of the same user)."""
    return (["runuser", "-u", user, "--"] if user else []) + ["/bin/sh", "-s"]


def run(host, script, runs, user=None):
    """Children CPU seconds per run, and the stdout bytes of the last run."""
    out = b""
    before = children_cpu()
    for _ in range(runs):
        p = subprocess.run(inside(host) + shell(user), input=script,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
        out = p.stdout
    return (children_cpu() - before) / runs, out


def pid_namespace_processes(host):
    """Processes in the host's PID namespace (the whole lab's when it has none of its own)."""
    pid_file = os.path.join(LAB, "run", host["name"], "init.pid")
    want = None
    if os.path.exists(pid_file):
        with open(pid_file) as f:
            want = os.stat("/proc/%s/ns/pid" % f.read().strip()).st_ino
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if want is None or os.stat("/proc/%s/ns/pid" % entry).st_ino == want:
                count += 1
        except OSError:
            pass
    return count


def programs(host, script, user=None):
    """Programs started by `/bin/sh -s` running script inside host, sh included (strace -f)."""
    with tempfile.NamedTemporaryFile(prefix="fp-execve-", suffix=".txt") as trace:
        subprocess.run(["strace", "-f", "-qq", "-z", "-e", "trace=execve", "-e", "signal=none", "-o", trace.name] +
                       inside(host) + shell(user), input=script, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)
        names = []
        for line in open(trace.name, errors="replace"):
            if 'execve("' not in line:
                continue
            path = line.split('execve("', 1)[1].split('"', 1)[0]
            if os.path.basename(path) in ("nsenter", "ip", "runuser"):
                continue
            names.append(os.path.basename(path))
        return names


def sshd_pid(host):
    """The host's listening sshd: comm sshd, in the host's network namespace, parent not sshd."""
    want = os.stat("/run/netns/" + host["namespace"]).st_ino
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if open("/proc/%s/comm" % entry).read() != "sshd\n" or os.stat("/proc/%s/ns/net" % entry).st_ino != want:
                continue
            parent = open("/proc/%s/stat" % entry).read().rsplit(") ", 1)[1].split()[1]
            if open("/proc/%s/comm" % parent).read() != "sshd\n":
                return int(entry)
        except (OSError, IndexError):
            pass
    return None


def sshd_cpu(pid):
    """utime+stime+cutime+cstime of pid, seconds."""
    fields = open("/proc/%d/stat" % pid).read().rsplit(") ", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


PEER = """import asyncio, asyncssh, sys
async def main():
    for _ in range(int(sys.argv[1])):
        async with asyncssh.connect(sys.argv[2], username='root', client_keys=[sys.argv[3]], known_hosts=sys.argv[4]) as c:
            await c.run(sys.argv[5])
asyncio.run(main())
"""


def sshd_table(truth):
    binary = os.environ.get("BENCH_FLEETPORTS")
    if not binary:
        return
    k, n = int(os.environ.get("BENCH_SSHD_HOSTS", "4")), int(os.environ.get("BENCH_SSHD_SESSIONS", "20"))
    run_dir = os.path.join(LAB, "run")
    key, known = os.path.join(run_dir, "id_ed25519"), os.path.join(run_dir, "known_hosts")
    venv = os.path.join(os.path.dirname(LAB), ".build-peers", "venv", "bin", "python3")
    work = tempfile.mkdtemp(prefix="fp-bench-sshd-")
    peer = "asyncssh" if os.path.exists(venv) else "OpenSSH ssh"
    print()
    print("| host | processes | sshd CPU per `fleetports scan` session, root | as fpuser | per %s `ss -tuanp` session (root) | ratio root | ratio fpuser "
          "| %s running the root floor (ss -tuaxnpe, awk, stat, nft doing nothing), ratio |" % (peer, peer))
    print("|---|---|---|---|---|---|---|---|")
    for host in [h for h in truth if h.get("has_ss", True)][:k]:
        pid = sshd_pid(host)
        if pid is None:
            continue
        scans = []
        for user in ("root", "fpuser"):
            inventory = os.path.join(work, "%s-%s.txt" % (host["name"], user))
            with open(inventory, "w") as f:
                f.write("%s@%s\n" % (user, host["ipv4"]))
            before = sshd_cpu(pid)
            for i in range(n):
                subprocess.run([binary, "scan", inventory, "--known-hosts", known, "--identity", key, "--ssh-config", "/dev/null",
                                "--timeout", "60", "--out", os.path.join(work, "scan-%s-%s-%d" % (host["name"], user, i))],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
            time.sleep(0.2)
            scans.append((sshd_cpu(pid) - before) / n)
        ss, floor = (peer_sessions(pid, n, host, key, known, venv, command) for command in ("ss -tuanp", FLOOR_OVER_SSH))
        ratio = ["%.2f" % (x / ss) if ss > 0 else "n/a" for x in scans + [floor]]
        print("| %s | %d | %.1f ms | %.1f ms | %.1f ms | %s | %s | %.1f ms, %s |" % (
            host["name"], pid_namespace_processes(host), scans[0] * 1000, scans[1] * 1000, ss * 1000, ratio[0], ratio[1],
            floor * 1000, ratio[2]))


def peer_sessions(pid, n, host, key, known, venv, command):
    """sshd's CPU per session (seconds) for n sessions of a peer running command as root."""
    before = sshd_cpu(pid)
    if os.path.exists(venv):
        subprocess.run([venv, "-c", PEER, str(n), host["ipv4"], key, known, command], stdout=subprocess.DEVNULL, timeout=600)
    else:
        for _ in range(n):
            subprocess.run(["ssh", "-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=" + known,
                            "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                            "-o", "LogLevel=ERROR", "root@" + host["ipv4"], command],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    time.sleep(0.2)
    return (sshd_cpu(pid) - before) / n


# A quiet host's daemons, in numbers: N processes, each holding 12 open files, every fifth a TCP
# listener and an abstract Unix listener (a real quiet server: ~70 processes, ~10 listening
# owners). Forked from one python3 inside the host's namespaces; they leave with it.
DAEMONS = """import os, signal, socket, sys
n, units = int(sys.argv[1]), int(sys.argv[2])
# Into a unit of the host's own cgroups, as a host's daemons are (nsenter keeps the machine's),
# and as many more units as a systemd server has (services, mounts, scopes, slices): `ss -e`
# walks every cgroup of the hierarchy to name a socket's.
made = []
for line in open("/proc/self/mounts"):
    f = line.split()
    if f[2] == "cgroup2":
        unit = f[1] + "/fleetlab.slice/fplab-quiet-daemons.service"
        os.makedirs(unit, exist_ok=True)
        open(unit + "/cgroup.procs", "w").write(str(os.getpid()))
        for j in range(units):
            made.append(f[1] + "/system.slice/fplab-quiet-unit-%d.service" % j)
            os.makedirs(made[-1], exist_ok=True)
        break
kids = []
for i in range(n):
    pid = os.fork()
    if pid == 0:
        held = [open("/dev/null") for _ in range(12)]
        if i % 5 == 0:
            t = socket.socket(); t.bind(("0.0.0.0", 20000 + i)); t.listen()
            u = socket.socket(socket.AF_UNIX); u.bind("\\0fp-quiet-%d" % i); u.listen()
        signal.pause()
        os._exit(0)
    kids.append(pid)
print("ready", flush=True)
sys.stdin.read()
for pid in kids:
    os.kill(pid, signal.SIGKILL)
for d in made:
    os.rmdir(d)
"""


# The floor: the programs the probe starts as root on this host, each doing the least it can
# (ss with the probe's flags but nothing read from it, awk with no program, one stat, nft
# listing the ruleset): what any probe costs that reads sockets, owners' identities and the
# firewall with these tools, before it does any work; as fpuser without nft (a non-root probe
# reads no firewall). Without -e and with it: -e gives each socket's uid and inode, at the
# price of ss walking the whole cgroup2 hierarchy.
FLOORS = [
    ("floor: sh, ss -tuaxnp, awk, stat, nft (root)",
     b"ss -tuaxnp >/dev/null\nawk 'BEGIN{}'\nstat -L -c %i /proc/1/exe /proc/1/ns/net >/dev/null\nnft -j list ruleset >/dev/null\n", None),
    ("floor with -e: sh, ss -tuaxnpe, awk, stat, nft (root)",
     b"ss -tuaxnpe >/dev/null\nawk 'BEGIN{}'\nstat -L -c %i /proc/1/exe /proc/1/ns/net >/dev/null\nnft -j list ruleset >/dev/null\n", None),
    ("floor with -e: sh, ss -tuaxnpe, awk, stat (fpuser)",
     b"ss -tuaxnpe >/dev/null\nawk 'BEGIN{}'\nstat -L -c %i /proc/self/exe /proc/self/ns/net >/dev/null\n", "fpuser"),
]


# The root floor with -e (FLOORS' second) as one command line a peer sends, through one `sh`
# as the probe's `exec /bin/sh -s` (ProbeCommand) starts one (the script has no `"`, `$` or `\`).
FLOOR_OVER_SSH = 'exec /bin/sh -c "%s"' % FLOORS[1][1].decode()


def quiet_host_table(truth, specs, runs):
    """The probes on one lab host made a quiet server (BENCH_QUIET_PROCESSES, default 70, more
    processes in its PID namespace: what `ss -p` walks; BENCH_QUIET_UNITS, default 60, more
    cgroups in its hierarchy: what `ss -e` walks), against a bare `ss -tuanp` there."""
    n = int(os.environ.get("BENCH_QUIET_PROCESSES", "70"))
    units = int(os.environ.get("BENCH_QUIET_UNITS", "60"))
    host = next((h for h in truth if h.get("has_ss", True) and not h.get("firewall")), None)
    if n <= 0 or host is None:
        return
    # Not in the host's cgroup namespace: moving into its cgroups takes the machine's view.
    launcher = [a for a in inside(host) if a != "--cgroup"]
    daemons = subprocess.Popen(launcher + ["python3", "-c", DAEMONS, str(n), str(units)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        if daemons.stdout.readline() != b"ready\n":
            return
        users = {"", *[l.partition("@")[2] for l, _ in specs], *[u or "" for _, _, u in FLOORS]}
        base = {u: run(host, b"true\n", runs, u or None)[0] for u in users}
        ss = max(run(host, b"ss -tuanp\n", runs)[0] - base[""], 1e-9)
        print()
        print("A quiet host: %s with %d more processes (12 open files each, every fifth a TCP and a Unix listener) "
              "and %d more unit cgroups, %d processes in its PID namespace; a bare `ss -tuanp` there %.2f ms."
              % (host["name"], n, units, pid_namespace_processes(host), ss * 1000))
        print()
        print("| probe | CPU per run | ÷ bare ss | programs |")
        print("|---|---|---|---|")
        for label, script in specs:
            user = label.partition("@")[2]
            c = max(run(host, script, runs, user or None)[0] - base[user], 0.0)
            print("| %s | %.2f ms | %.2f× | %d |" % (label, c * 1000, c / ss, len(programs(host, script, user or None)) + 1))
        for label, script, user in FLOORS:
            c = max(run(host, script, runs, user)[0] - base[user or ""], 0.0)
            print("| %s | %.2f ms | %.2f× | %d |" % (label, c * 1000, c / ss, len(programs(host, script, user)) + 1))
    finally:
        daemons.stdin.close()
        daemons.wait(timeout=30)


def main():
    runs, hosts = int(sys.argv[1]), int(sys.argv[2])
    with open(os.path.join(LAB, "run", "truth.json")) as f:
        truth = json.load(f)["hosts"][:hosts]
    specs = []
    for spec in sys.argv[3:]:
        label, path = spec.split("=", 1)
        with open(path, "rb") as f:
            specs.append((label, f.read()))
    print("| probe | lab hosts | runs per host | CPU per run (mean over hosts) | min host | max host | output per run |")
    print("|---|---|---|---|---|---|---|")
    users = sorted({label.partition("@")[2] for label, _ in specs if "@" in label})
    base = {(h["namespace"], u): run(h, b"true\n", runs, u or None)[0] for h in truth for u in [""] + users}
    ss = {h["namespace"]: max(run(h, b"ss -tuanp\n", runs)[0] - base[(h["namespace"], "")], 1e-9) for h in truth}
    cpu = {}
    for label, script in specs:
        per_host, size = [], 0
        user = label.partition("@")[2]
        for h in truth:
            c, out = run(h, script, runs, user or None)
            per_host.append(max(c - base[(h["namespace"], user)], 0.0))
            cpu[(label, h["namespace"])] = per_host[-1]
            size = len(out)
        mean = sum(per_host) / len(per_host)
        print("| %s | %d | %d | %.1f ms | %.1f ms | %.1f ms | %d B |" % (
            label, len(truth), runs, mean * 1000, min(per_host) * 1000, max(per_host) * 1000, size))
    print()
    print("| host | processes | bare `ss -tuanp` | " + " | ".join("%s: CPU, ÷ ss, programs" % label for label, _ in specs) + " |")
    print("|---|---|---|" + "---|" * len(specs))
    for h in truth:
        cells = []
        for label, script in specs:
            c = cpu[(label, h["namespace"])]
            started = programs(h, script, label.partition("@")[2] or None)
            ratio = "%.2f×" % (c / ss[h["namespace"]]) if h.get("has_ss", True) else "no ss"
            cells.append("%.2f ms, %s, %d" % (c * 1000, ratio, len(started) + 1))
        bare = "%.2f ms" % (ss[h["namespace"]] * 1000) if h.get("has_ss", True) else "no ss"
        print("| %s | %d | %s | %s |" % (h["name"], pid_namespace_processes(h), bare, " | ".join(cells)))
    print()
    print("Programs: successful execve under `strace -f` from `/bin/sh -s` down, plus 1 for the login shell sshd starts.")
    quiet_host_table(truth, specs, runs)
    sshd_table(truth)


if __name__ == "__main__":
    main()
