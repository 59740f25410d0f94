#!/usr/bin/env python3
"""Builds fleet.scan.json from a real lab scan.json: three lab hosts kept as scanned, one
copy made hostile (host name and process names that try HTML, Markdown and XML injection),
one failed and one not-scanned host, and hand-written findings (the analysis may not have
produced any yet). Usage: make_fleet_fixture.py LAB_SCAN_JSON > fleet.scan.json"""
import copy
import json
import sys

HOSTILE = "<img src=x onerror=alert(1)>"

scan = json.load(open(sys.argv[1]))
by_name = {h["name"]: h for h in scan["hosts"]}
keep = [by_name[n] for n in ("10.200.0.11", "10.200.0.12", "10.200.0.17")]
hostile = copy.deepcopy(by_name["10.200.0.13"])
hostile["name"] = HOSTILE
for socket in hostile["snapshot"]["sockets"]:
    for process in socket.get("processes", []):
        if process["name"] == "redis-server":
            process["name"] = HOSTILE
        elif process["name"] == "web worker":
            process["name"] = "web|wor`ker\n<b>&\"'"
hostile["snapshot"]["meta"]["hostname"] = "<script>window.__fpXSS=1</script>"
failed = {"name": "db-9|`x`", "address": "10.200.9.9", "port": 22, "user": "root", "groups": ["db"],
          "status": "failed", "failure": {"code": "auth-failed", "message": "denied <b>x</b> & \"quoted\"\nsecond line"}}
skipped = {"name": "lab-late", "address": "10.200.9.10", "port": 22, "user": "root", "groups": [], "status": "not-scanned"}
scan["hosts"] = keep + [hostile, failed, skipped]
scan["startedAt"] = "2026-11-25T09:29:22.564Z"
scan["finishedAt"] = "2026-11-25T09:29:23.166Z"

def sock(proto, address, port, processes, user, reach):
    return {"proto": proto, "address": address, "port": port, "processes": processes, "user": user, "reach": reach}

# In the analysis's order (Finding.order: most severe first, then host, rule, port).
scan["findings"] = [
    {"ruleID": "datastore-exposed", "severity": "critical", "title": "postgres listens on 0.0.0.0", "host": "10.200.0.12",
     "socket": sock("tcp", "0.0.0.0", 5432, ["postgres"], "fpuser", "public"),
     "evidence": "listen_addresses = '*'", "fix": "set listen_addresses = 'localhost'"},
    {"ruleID": "datastore-exposed", "severity": "high", "title": "redis-server listens beyond loopback", "host": HOSTILE,
     "socket": sock("tcp", "0.0.0.0", 6379, [HOSTILE], "root", "private-network"),
     "evidence": "tcp 0.0.0.0:6379 owned by " + HOSTILE, "fix": "bind redis to 127.0.0.1 (bind 127.0.0.1 in redis.conf)"},
    {"ruleID": "udp-amplifier", "severity": "medium", "title": "NTP answers beyond loopback", "host": "10.200.0.11",
     "socket": sock("udp", "0.0.0.0", 123, ["ntpd"], "root", "private-network"),
     "evidence": "udp 0.0.0.0:123 (ntpd)", "fix": "restrict ntpd to the hosts that need it"},
    {"ruleID": "world-writable-unix-socket", "severity": "medium", "title": "Unix socket is world-writable", "host": "10.200.0.12",
     "socket": sock("unix", "/run/fleetports-lab/lab-002/app.sock", None, ["app"], "fpuser", None),
     "evidence": "mode 666", "fix": "chmod 660 and use a group"},
    {"ruleID": "accept-queue-overflow", "severity": "low", "title": "accept queue overflows", "host": "10.200.0.17",
     "socket": sock("tcp", "0.0.0.0", 7000, ["python3"], "root", "private-network"),
     "evidence": "ListenOverflows 12 | Recv-Q 2 of backlog 1", "fix": "raise the backlog or accept faster"},
    {"ruleID": "public-listener-not-allowed", "severity": "info", "title": "web on port 80", "host": "10.200.0.11",
     "socket": sock("tcp", "0.0.0.0", 80, ["web worker"], "root", "private-network"),
     "evidence": "tcp 0.0.0.0:80", "fix": "allow it in the policy",
     "suppressed": {"reason": "public web tier <by design>", "expires": "2027-01-31"}},
]
scan["analysisNotes"] = ["suppression for db-* expired on 2026-10-01"]
json.dump(scan, sys.stdout, indent=2, sort_keys=True)
sys.stdout.write("\n")
