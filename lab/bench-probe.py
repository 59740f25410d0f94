#!/usr/bin/python3
"""The probe's CPU on lab hosts: each probe script given is run as root inside a lab host's
namespaces (network, PID, mount and UTS, entered with nsenter through the host's PID 1 in
lab/run/lab-NNN/init.pid, `/bin/sh -s` with the script on stdin, as sshd would run it; a lab
without init.pid: `ip netns exec`),
RUNS times per host, and the CPU of the shell and everything it started (children's rusage)
is reported per run, less the same launcher running `true`. Needs a lab that is up.

  bench-probe.py RUNS HOSTS LABEL=SCRIPT [LABEL=SCRIPT ...]   prints a Markdown table
"""
import json
import os
import resource
import subprocess
import sys

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


def run(host, script, runs):
    """Children CPU seconds per run, and the stdout bytes of the last run."""
    out = b""
    before = children_cpu()
    for _ in range(runs):
        p = subprocess.run(inside(host) + ["/bin/sh", "-s"], input=script,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
        out = p.stdout
    return (children_cpu() - before) / runs, out


def main():
    runs, hosts = int(sys.argv[1]), int(sys.argv[2])
    with open(os.path.join(LAB, "run", "truth.json")) as f:
        truth = json.load(f)["hosts"][:hosts]
    print("| probe | lab hosts | runs per host | CPU per run (mean over hosts) | min host | max host | output per run |")
    print("|---|---|---|---|---|---|---|")
    base = {h["namespace"]: run(h, b"true\n", runs)[0] for h in truth}
    for spec in sys.argv[3:]:
        label, path = spec.split("=", 1)
        with open(path, "rb") as f:
            script = f.read()
        per_host, size = [], 0
        for h in truth:
            cpu, out = run(h, script, runs)
            per_host.append(max(cpu - base[h["namespace"]], 0.0))
            size = len(out)
        mean = sum(per_host) / len(per_host)
        print("| %s | %d | %d | %.1f ms | %.1f ms | %.1f ms | %d B |" % (
            label, len(truth), runs, mean * 1000, min(per_host) * 1000, max(per_host) * 1000, size))


if __name__ == "__main__":
    main()
