#!/usr/bin/env python3
"""`fleetports parse` end to end beside jc on the same 200,000-socket captures (issue 20).

Writes the captures with `fleetports-bench --write-captures`, then times whole commands, output
to /dev/null: `fleetports parse --json` and the table (best of 3), and jc (`--proc-net-tcp`,
`--ss`, best of 2; jc from PyPI in .build-peers/venv). Prints MB/s (10^6 bytes of input per
second) and jc's time over fleetports', CPU and wall. Targets, on CPU time: >= 100 MB/s and
fleetports in <= 1/20 of jc's time.
    lab/bench-parse.py [--bin .build/release] [--jc .build-peers/venv/bin/jc]
"""
import argparse, os, resource, subprocess, sys, tempfile, time


def best(argv, path, rounds):
    """(wall seconds, CPU seconds: user+sys of the child), each the best of `rounds` runs. CPU
    time is what a busy machine does not inflate much; wall time is what a user waits."""
    walls, cpus = [], []
    for _ in range(rounds):
        with open(path, "rb") as stdin, open(os.devnull, "wb") as sink:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(argv, stdin=stdin, stdout=sink, stderr=subprocess.DEVNULL, timeout=600)
            walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            sys.exit("bench-parse: %s exited %d" % (" ".join(argv), done.returncode))
    return min(walls), min(cpus)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=".build/release")
    ap.add_argument("--jc", default=".build-peers/venv/bin/jc")
    args = ap.parse_args()
    fleetports = os.path.join(args.bin, "fleetports")
    with tempfile.TemporaryDirectory(prefix="fp-bench-parse-") as folder:
        subprocess.run([os.path.join(args.bin, "fleetports-bench"), "--write-captures", folder], check=True, timeout=600)
        print("fleetports parse end to end beside jc (%s), 200,000 sockets a file, output to /dev/null"
              % subprocess.run([args.jc, "--version"], capture_output=True, text=True).stdout.split("\n")[0].strip())
        ok = True
        for name, as_format, jc_flag in (("proc-net-tcp", "proc-net-tcp", "--proc-net-tcp"), ("ss-tuanp", "ss", "--ss")):
            path = os.path.join(folder, name)
            size = os.path.getsize(path)
            as_json, as_json_cpu = best([fleetports, "parse", "--json", "--as", as_format], path, 3)
            table, table_cpu = best([fleetports, "parse", "--as", as_format], path, 3)
            jc, jc_cpu = best([args.jc, jc_flag], path, 2)
            # The targets are judged on CPU time (what a busy machine inflates least): MB/s of
            # `parse --json` and jc's time over fleetports'; wall figures are printed beside them.
            mbps_cpu = size / as_json_cpu / 1e6
            ratio_cpu = jc_cpu / as_json_cpu
            verdict = "ok" if mbps_cpu >= 100 and ratio_cpu >= 20 else "BELOW TARGET"
            ok = ok and verdict == "ok"
            print("%-13s %5.1f MB  parse --json CPU %6.3f s (%6.1f MB/s; wall %6.3f s, %6.1f MB/s)  "
                  "table CPU %6.3f s (%6.1f MB/s; wall %6.3f s)  jc CPU %6.2f s (wall %6.2f s)  "
                  "jc/fleetports --json %5.1fx CPU (%5.1fx wall), table %5.1fx CPU  [target 100 MB/s, 20x: %s]"
                  % (name, size / 1e6, as_json_cpu, mbps_cpu, as_json, size / as_json / 1e6,
                     table_cpu, size / table_cpu / 1e6, table, jc_cpu, jc, ratio_cpu, jc / as_json,
                     jc_cpu / table_cpu, verdict))
        if not ok:
            print("note: parse end to end is below a target")


if __name__ == "__main__":
    main()
