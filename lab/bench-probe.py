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
    """The command prefix that runs inside `host`: its own PID namespace too, so the probe
    walks that host's processes only (not every lab host's), as on a real machine."""
    pid_file = os.path.join(LAB, "run", host["name"], "init.pid")
    if os.path.exists(pid_file):
        with open(pid_file) as f:
            pid = f.read().strip()
        return ["nsenter", "--target", pid, "--net", "--uts", "--mount", "--pid", "--"]
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
            await c.run('ss -tuanp')
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
    print("| host | processes | sshd CPU per `fleetports scan` session, root | as fpuser | per %s `ss -tuanp` session (root) | ratio root | ratio fpuser |" % peer)
    print("|---|---|---|---|---|---|---|")
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
        before = sshd_cpu(pid)
        if os.path.exists(venv):
            subprocess.run([venv, "-c", PEER, str(n), host["ipv4"], key, known], stdout=subprocess.DEVNULL, timeout=600)
        else:
            for _ in range(n):
                subprocess.run(["ssh", "-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=" + known,
                                "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                                "-o", "LogLevel=ERROR", "root@" + host["ipv4"], "ss -tuanp"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        time.sleep(0.2)
        ss = (sshd_cpu(pid) - before) / n
        ratio = ["%.2f" % (x / ss) if ss > 0 else "n/a" for x in scans]
        print("| %s | %d | %.1f ms | %.1f ms | %.1f ms | %s | %s |" % (host["name"], pid_namespace_processes(host), scans[0] * 1000,
                                                               scans[1] * 1000, ss * 1000, ratio[0], ratio[1]))


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
    sshd_table(truth)


if __name__ == "__main__":
    main()
