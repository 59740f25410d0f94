#!/usr/bin/python3
"""The probe's CPU on lab hosts: each probe script given is run as root inside a lab host's
namespaces (`ip netns exec fplab-NNN /bin/sh -s`, the script on stdin, as sshd would run it),
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


def run(ns, script, runs):
    """Children CPU seconds per run, and the stdout bytes of the last run."""
    out = b""
    before = children_cpu()
    for _ in range(runs):
        p = subprocess.run(["ip", "netns", "exec", ns, "/bin/sh", "-s"], input=script,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
        out = p.stdout
    return (children_cpu() - before) / runs, out


def main():
    runs, hosts = int(sys.argv[1]), int(sys.argv[2])
    with open(os.path.join(LAB, "run", "truth.json")) as f:
        truth = json.load(f)["hosts"][:hosts]
    print("| probe | lab hosts | runs per host | CPU per run (mean over hosts) | min host | max host | output per run |")
    print("|---|---|---|---|---|---|---|")
    base = {h["namespace"]: run(h["namespace"], b"true\n", runs)[0] for h in truth}
    for spec in sys.argv[3:]:
        label, path = spec.split("=", 1)
        with open(path, "rb") as f:
            script = f.read()
        per_host, size = [], 0
        for h in truth:
            cpu, out = run(h["namespace"], script, runs)
            per_host.append(max(cpu - base[h["namespace"]], 0.0))
            size = len(out)
        mean = sum(per_host) / len(per_host)
        print("| %s | %d | %d | %.1f ms | %.1f ms | %.1f ms | %d B |" % (
            label, len(truth), runs, mean * 1000, min(per_host) * 1000, max(per_host) * 1000, size))


if __name__ == "__main__":
    main()
