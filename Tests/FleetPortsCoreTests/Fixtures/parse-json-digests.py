#!/usr/bin/env python3
"""Writes parse-json.digests (ParseOutputDigestTests) from a built `fleetports`: for every
captured .out of the parser folders, and 4 seeded mutations of each consistency/ and issue15/
capture, the FNV-1a 64 digest of `fleetports parse --json` as detected, then `--as` each format
in turn. The mutations use SplitMix64 seeded by the FNV-1a digest of the capture's path, exactly
as the test does.
    Tests/FleetPortsCoreTests/Fixtures/parse-json-digests.py --bin .build/release/fleetports
"""
import argparse, os, subprocess, tempfile

FOLDERS = ["ss", "netstat", "lsof", "proc", "consistency", "cases", "issue15"]
# CaptureFormat.allCases, in declaration order.
FORMATS = ["ss", "netstat", "netstat-s", "lsof", "lsof-F", "proc-net-tcp", "proc-net-tcp6", "proc-net-udp",
           "proc-net-udp6", "proc-net-raw", "proc-net-raw6", "proc-net-unix", "proc-net-sctp-eps", "proc-net-counters"]
MASK = (1 << 64) - 1


class SplitMix:
    def __init__(self, state):
        self.state = state

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, bound):
        return self.next() % bound


class Digest:
    def __init__(self):
        self.value, self.count = 0xCBF29CE484222325, 0

    def add(self, data):
        value = self.value
        for byte in data:
            value = ((value ^ byte) * 0x100000001B3) & MASK
        self.value, self.count = value, self.count + len(data)

    def text(self):
        return "%d %x" % (self.count, self.value)


def parse_json(binary, path, as_format):
    argv = [binary, "parse", "--json"] + (["--as", as_format] if as_format else []) + [path]
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60).stdout
    if not out:
        return None
    assert out.endswith(b"\n")
    return out[:-1]


def digest(binary, data):
    with tempfile.NamedTemporaryFile() as file:
        file.write(data)
        file.flush()
        result = Digest()
        detected = parse_json(binary, file.name, None)
        result.add(detected if detected is not None else b"unrecognised")
        for name in FORMATS:
            result.add(name.encode())
            result.add(parse_json(binary, file.name, name))
        return result.text()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", help="where to write the digests (default: parse-json.digests here)")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    captures = [f + "/" + n for f in FOLDERS if os.path.isdir(os.path.join(here, f))
                for n in sorted(os.listdir(os.path.join(here, f))) if n.endswith(".out")]
    lines = []
    for path in captures:
        with open(os.path.join(here, path), "rb") as file:
            lines.append("%s %s" % (path, digest(args.bin, file.read())))
    for path in captures:
        if not (path.startswith("consistency/") or path.startswith("issue15/")):
            continue
        seed = Digest()
        seed.add(path.encode())
        random = SplitMix(seed.value)
        with open(os.path.join(here, path), "rb") as file:
            original = file.read()
        for round in range(4):
            data = bytearray(original)
            for _ in range(1 + random.below(20)):
                if not data:
                    continue
                index = random.below(len(data))
                kind = random.below(4)
                if kind == 0:
                    data[index] = random.below(256)
                elif kind == 1:
                    del data[index]
                elif kind == 2:
                    data[index:index] = b'"),('
                else:
                    del data[index:index + 40]
            lines.append("%s#mutation-%d %s" % (path, round, digest(args.bin, bytes(data))))
    with open(args.out or os.path.join(here, "parse-json.digests"), "w") as file:
        file.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
