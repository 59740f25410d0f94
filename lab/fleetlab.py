#!/usr/bin/python3
"""fleetports lab fleet: plan, generated files, per-host services, keeper, verify.

Stdlib only. Called by lab/lab.sh; see lab/README.md.

  fleetlab.py files N           write truth.json, inventory, ssh_config, known_hosts, sshd configs
  fleetlab.py keeper N          start all hosts (parallel), then stay as child subreaper
  fleetlab.py serve I           (inside netns + uts ns) hostname, sshd, service processes
  fleetlab.py verify [-P n]     compare every host over ssh with truth.json
"""
import concurrent.futures
import ctypes
import hashlib
import ipaddress
import json
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import time

LAB = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(LAB)
RUN = os.path.join(LAB, "run")
UNIXROOT = "/run/fleetports-lab"
# A PATH with every command of the machine but `ss` and `base64`, for the hosts that "have no ss"
# (and make fleetports fall back from the probe in its command line to the probe on stdin).
NOSS_BIN = os.path.join(RUN, "noss-bin")
NOSS_MISSING = ("ss", "base64")
BRIDGE = "fpbr0"
BRIDGE_V4 = "10.200.0.1"   # the controller side of the lab bridge (lab.sh)
LAB_NET = ipaddress.ip_network("10.200.0.0/16")
LAB_NET6 = ipaddress.ip_network("fd00:200::/64")
MAXN = 500  # 500 hosts give 1,000 SSH targets (IPv4 and IPv6 each)


def name_of(i):
    return "lab-%03d" % i


def ns_of(i):
    return "fplab-%03d" % i


def ipv4_of(i):
    if i in INNER:
        return INNER[i]["ipv4"]
    return "10.200.%d.%d" % (i // 200, i % 200 + 10)


def ipv6_of(i):
    return "fd00:200::1:%x" % i


def L(proto, addr, port, proc, user):
    return {"proto": proto, "address": addr, "port": port, "process": proc, "user": user}


def plan(i):
    """The deterministic per-host mix. Documented in lab/README.md."""
    v4 = ipv4_of(i)
    svcs = []
    # every host: sshd (started separately, listed here for the truth)
    if i % 2 == 1:
        svcs.append({"kind": "web", "comm": "web worker", "user": "root",
                     "listeners": [L("tcp", "0.0.0.0", 80, "web worker", "root"),
                                   L("tcp", "::", 443, "web worker", "root")],
                     "established": 2})
    if i % 4 == 2:
        svcs.append({"kind": "tcp", "comm": "postgres", "user": "fpuser",
                     "listeners": [L("tcp", "127.0.0.1", 5432, "postgres", "fpuser")]})
    if i % 4 == 0:
        svcs.append({"kind": "tcp", "comm": "postgres", "user": "fpuser",
                     "listeners": [L("tcp", "0.0.0.0", 5432, "postgres", "fpuser")]})
    if i % 6 == 3:
        svcs.append({"kind": "tcp", "comm": "redis-server", "user": "nobody",
                     "listeners": [L("tcp", "0.0.0.0", 6379, "redis-server", "nobody")]})
    if i % 3 == 1:
        svcs.append({"kind": "udp", "comm": "ntpd", "user": "root",
                     "listeners": [L("udp", "0.0.0.0", 123, "ntpd", "root")]})
    if i % 3 == 2:
        # binds port 53 as root, then drops to nobody (like real dnsmasq)
        svcs.append({"kind": "udp", "comm": "dnsmasq", "user": "nobody",
                     "listeners": [L("udp", "0.0.0.0", 53, "dnsmasq", "nobody")]})
    if i % 5 == 0:
        svcs.append({"kind": "udp", "comm": "memcached", "user": "nobody",
                     "listeners": [L("udp", "0.0.0.0", 11211, "memcached", "nobody")]})
    if i % 3 == 0:
        svcs.append({"kind": "tcp", "comm": "metrics agent", "user": "fpuser",
                     "listeners": [L("tcp", v4, 9100, "metrics agent", "fpuser")]})
    if i % 2 == 0:
        svcs.append({"kind": "unix", "comm": "app server", "user": "fpuser", "listeners": [],
                     "unix": [{"path": "%s/%s/app.sock" % (UNIXROOT, name_of(i)),
                               "mode": "0666" if i % 4 == 0 else "0600",
                               "process": "app server", "user": "fpuser"}]})
    if i % 5 == 1:
        svcs.append({"kind": "leak", "comm": "leaky svc", "user": "fpuser",
                     "listeners": [L("tcp", "0.0.0.0", 8080, "leaky svc", "fpuser")],
                     "close_wait": 2 + i % 3})
    if i % 5 == 2:
        svcs.append({"kind": "overflow", "comm": "slow accept", "user": "fpuser",
                     "listeners": [L("tcp", "0.0.0.0", 7000, "slow accept", "fpuser")],
                     "flood": 12})
    if i % 12 == 6:
        # Docker's userland proxy on the published port, and the "container": a process in a
        # nested network namespace (172.30.<i>.2) that the DNAT of firewall(i) publishes.
        svcs.append({"kind": "container", "comm": "docker-proxy", "user": "root",
                     "listeners": [L("tcp", "0.0.0.0", 8088, "docker-proxy", "root")],
                     "container": container_of(i)})
    if i % 7 == 0:
        # A process whose name is hostile to anything that shows it: markup, quotes and an
        # ANSI escape (comm holds 15 bytes at most).
        svcs.append({"kind": "tcp", "comm": HOSTILE_COMM, "user": "fpuser",
                     "listeners": [L("tcp", "127.0.0.1", 6666, HOSTILE_COMM, "fpuser")]})
    return owners_plan(i, svcs)


def container_ip(i, host):
    return "172.30.%d.%d" % (i % 250, host)


# ---------------------------------------------------------------- containers (issue 18)

CONTAINER_CGROUP_PARENT = "/fleetlab.slice"


def container_of(i):
    """The "container" of hosts with i % 12 == 6, as Docker would make it: a nested network
    namespace on a bridge only the host has (fpc0 172.30.i.1 <-> eth0 172.30.i.2), a UTS
    hostname and an /etc/hostname of its own (a mount namespace), a cgroup v2 directory named
    like Docker's systemd-driver scopes (`docker-<64 hex>.scope`, under fleetlab.slice so lab
    down finds it), nginx on :80 published as host 0.0.0.0:8088 (the docker-proxy of plan(i) and
    the DNAT of firewall(i)), and a redis-server on :6379 that nothing publishes."""
    cid = hashlib.sha256(b"fleetports-lab-container-%d" % i).hexdigest()
    address = container_ip(i, 2)
    return {
        "runtime": "docker", "id": cid, "name": "web",
        "cgroup": "%s/docker-%s.scope" % (CONTAINER_CGROUP_PARENT, cid),
        "address": address, "gateway": container_ip(i, 1), "port": 80,
        "listeners": [
            dict(L("tcp", "0.0.0.0", 80, "nginx", "root"),
                 published={"proto": "tcp", "host_ip": "0.0.0.0", "host_port": 8088, "container_ip": address}),
            dict(L("tcp", "0.0.0.0", 6379, "redis-server", "root"), published=None),
        ],
    }


def docker_proxy_argv(c):
    """Docker's userland proxy command line for the container's published port (dockerd 20-27)."""
    p = c["listeners"][0]["published"]
    return ["/usr/bin/docker-proxy", "-proto", p["proto"], "-host-ip", p["host_ip"], "-host-port", str(p["host_port"]),
            "-container-ip", c["address"], "-container-port", str(c["port"])]


# Run by the docker-proxy service after exec: rewrites its own argument area (the exact length
# the exec gave it) to Docker's command line, so /proc/<pid>/cmdline reads like the real proxy.
PROXY_CODE = r"""
import ctypes, os, signal
a = os.environ["FP_ARGV"].encode().replace(b" ", b"\0") + b"\0"
f = open("/proc/self/stat").read().rsplit(")", 1)[1].split()
start, end = int(f[45]), int(f[46])
if end - start == len(a):
    ctypes.memmove(start, a, len(a))
open("/proc/self/comm", "w").write("docker-proxy")
signal.signal(signal.SIGTERM, lambda *x: os._exit(0))
while True:
    signal.pause()
"""
PROXY_STUB = "exec(__import__('os').environ['FP_CODE'])"


def exec_docker_proxy(c, listening):
    """Becomes the docker-proxy: exec python3 with an argument area exactly as long as Docker's
    command line (padding the last argument), the listening socket kept open across exec."""
    want = "\0".join(docker_proxy_argv(c)) + "\0"
    head = ["/usr/bin/python3", "-c", PROXY_STUB]
    pad = len(want) - sum(len(x) + 1 for x in head) - 1
    if pad < 1:
        raise RuntimeError("docker-proxy command line shorter than its exec")
    for sock in listening:
        os.set_inheritable(sock.fileno(), True)
    env = dict(os.environ, FP_CODE=PROXY_CODE, FP_ARGV=" ".join(docker_proxy_argv(c)))
    os.execve("/usr/bin/python3", head + ["x" * pad], env)


def enter_container(i, c):
    """In the container's child, its network namespace already made and wired: its own UTS
    name and /etc/hostname (a private mount namespace), its Docker-like cgroup (cgroup2 mounted
    in that namespace: `ip netns exec` left /sys/fs/cgroup empty), and a note of its network
    namespace's inode for the tests (lab/run/NAME/containers.json)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUTS | CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare(container uts, mount)")
    socket.sethostname(c["name"])
    subprocess.run(["mount", "--make-rprivate", "/"], check=True, timeout=10)
    hostname = os.path.join(UNIXROOT, name_of(i), "container-%s.hostname" % c["name"])
    write(hostname, c["name"] + "\n")
    subprocess.run(["mount", "--bind", hostname, "/etc/hostname"], check=True, timeout=10)
    subprocess.run(["mount", "-t", "cgroup2", "none", "/sys/fs/cgroup"], check=True, timeout=10)
    cg = "/sys/fs/cgroup" + c["cgroup"]
    os.makedirs(cg, exist_ok=True)
    with open(os.path.join(cg, "cgroup.procs"), "w") as f:
        f.write("0\n")                                       # this process, and all it forks
    note = {"name": c["name"], "id": c["id"], "netns": os.stat("/proc/self/ns/net").st_ino}
    write(os.path.join(RUN, name_of(i), "containers.json"), json.dumps([note]) + "\n")


def container_unpublished(c, published):
    """The container's second process: a listener nothing publishes. Dies with the container;
    closes its copy of the published listener (`published`), which only nginx holds."""
    libc = ctypes.CDLL(None, use_errno=True)
    l = c["listeners"][1]
    ls = listen_sock(l["proto"], l["address"], l["port"])   # listening before the host is ready
    if os.fork() != 0:
        ls.close()
        return
    try:
        published.close()
        libc.prctl(1, signal.SIGKILL)
        set_comm(l["process"])
        while True:
            signal.pause()
    finally:
        os._exit(1)


def firewall(i):
    """The packet filter of host i (issue 19), or None. Documented in lab/README.md. `expect`
    is each TCP/UDP port's effective exposure from outside (the controller, 10.200.0.1, is the
    source of the lab's real connects; `allowed` names the sources a restricted port accepts),
    `bypass` the ports a DNAT publishes past an INPUT deny."""
    ctl = BRIDGE_V4
    peer = ipv4_of(1)
    if i % 12 == 4:
        # nftables, policy drop: ssh only; the wildcard postgres is blocked.
        rules = ("table inet fplab {\n chain input {\n  type filter hook input priority 0; policy drop;\n"
                 "  ct state established,related accept\n  iifname \"lo\" accept\n  meta l4proto ipv6-icmp accept\n"
                 "  tcp dport 22 accept\n }\n}\n")
        return {"backend": "nftables", "rules": rules, "bypass": [],
                "expect": {"tcp/22": "open", "tcp/5432": "blocked", "udp/123": "blocked"}}
    if i % 12 == 3:
        # iptables-legacy, policy ACCEPT: redis only from lab-001 (not from the controller).
        rules = ("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                 "-A INPUT -s %s/32 -p tcp -m tcp --dport 6379 -j ACCEPT\n"
                 "-A INPUT -p tcp -m tcp --dport 6379 -j DROP\nCOMMIT\n" % peer)
        return {"backend": "iptables-legacy", "rules": rules, "bypass": [],
                "expect": {"tcp/6379": "restricted"}, "allowed": {"tcp/6379": [peer + "/32"]}}
    if i % 12 == 8:
        # iptables-nft, policy DROP: ssh, and postgres from the controller only; DNS from the lab network.
        rules = ("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                 "-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
                 "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
                 "-A INPUT -s %s/32 -p tcp -m tcp --dport 5432 -j ACCEPT\n"
                 "-A INPUT -s 10.200.0.0/16 -p udp -m udp --dport 53 -j ACCEPT\nCOMMIT\n" % ctl)
        return {"backend": "iptables-nft", "rules": rules, "bypass": [],
                "expect": {"tcp/22": "open", "tcp/5432": "restricted", "udp/53": "restricted"},
                "allowed": {"tcp/5432": [ctl + "/32"], "udp/53": ["10.200.0.0/16"]}}
    if i % 12 == 6:
        # ufw-style deny of 8088 on INPUT, and Docker-style DNAT of 8088 to the container:
        # prerouting runs first, so the deny never sees it and FORWARD accepts.
        rules = ("table inet fplab {\n chain input {\n  type filter hook input priority 0; policy accept;\n"
                 "  tcp dport 8088 drop\n }\n chain forward {\n  type filter hook forward priority 0; policy accept;\n }\n}\n"
                 "table ip fplabnat {\n chain prerouting {\n  type nat hook prerouting priority -100; policy accept;\n"
                 "  tcp dport 8088 dnat to %s:80\n }\n}\n" % container_ip(i, 2))
        return {"backend": "nftables", "rules": rules, "bypass": [8088], "expect": {"tcp/8088": "open"}}
    return None


def apply_firewall(i):
    fw = firewall(i)
    if fw is None:
        return
    tool = {"nftables": ["nft", "-f", "-"], "iptables-legacy": ["iptables-legacy-restore"],
            "iptables-nft": ["iptables-nft-restore"]}[fw["backend"]]
    subprocess.run(tool, input=fw["rules"], text=True, check=True, timeout=30)


# The name of the hostile process on hosts with i % 7 == 0.
HOSTILE_COMM = '<b>"x"\x1b[31m&'


def has_ss(i):
    """Hosts with i % 7 == 0 have no `ss` on the PATH their sshd gives sessions."""
    return i % 7 != 0


def host_truth(i):
    svcs = plan(i)
    listeners = [L("tcp", "0.0.0.0", 22, "sshd", "root"), L("tcp", "::", 22, "sshd", "root")]
    for l in listeners:
        l["owner"] = sshd_owner(i)
    unix = []
    for s in svcs:
        for l in s["listeners"]:
            l["owner"] = s["owner"]
        listeners += s["listeners"]
        unix += s.get("unix", [])
    listeners.sort(key=lambda x: (x["proto"], x["port"], x["address"]))
    keys = ["ssh-ed25519"] + (["ecdsa-sha2-nistp256"] if i % 2 == 1 else [])
    groups = ["web"] if i % 2 == 1 else ["db"]
    return {
        "index": i, "name": name_of(i), "namespace": ns_of(i),
        "ipv4": ipv4_of(i), "ipv6": ipv6_of(i), "groups": groups,
        "host_keys": keys,
        "listeners": listeners,
        "unix_sockets": unix,
        "close_wait": sum(s.get("close_wait", 0) for s in svcs),
        "established": sum(s.get("established", 0) for s in svcs),
        "listen_overflow": any(s["kind"] == "overflow" for s in svcs),
        "processes": ["sshd"] + [s["comm"] for s in svcs],
        "has_ss": has_ss(i),
        "firewall": firewall(i),
        "containers": [s["container"] for s in svcs if s["kind"] == "container"],
        "udp_clients": [c for sv in svcs for c in sv.get("udp_clients", [])],
    }


# ---------------------------------------------------------------- files

def write(path, text, mode=0o644):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def make_noss_bin():
    os.makedirs(NOSS_BIN, exist_ok=True)
    for d in ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"):
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            link = os.path.join(NOSS_BIN, name)
            if name in NOSS_MISSING or os.path.lexists(link):
                continue
            os.symlink(os.path.join(d, name), link)
    for name in NOSS_MISSING:  # a folder left by an older lab may still have them
        if os.path.lexists(os.path.join(NOSS_BIN, name)):
            os.remove(os.path.join(NOSS_BIN, name))


# ---------------------------------------------------------------- RSA-only user (issue 16 item 3)
# A user whose only authorized key is RSA, on every third host (2, 5, 8, ...), with sshd's
# default PubkeyAcceptedAlgorithms: OpenSSH 9.2 refuses `ssh-rsa` (SHA-1) signatures, so a login
# works only with rsa-sha2-256/512. The key is lab/run/id_rsa_user (3072 bits, unencrypted).
RSA_USER = "fprsa"
RSA_KEY = os.path.join(RUN, "id_rsa_user")
RSA_AUTHORIZED = os.path.join(RUN, "rsa_user", "authorized_keys")


def is_rsa_user_host(i):
    return i % 3 == 2


def rsa_user_hosts(n):
    return [i for i in range(1, n + 1) if is_rsa_user_host(i)]


def rsa_user_truth(n):
    """The RSA-only user's entry in truth.json."""
    return {"name": RSA_USER, "identity": "lab/run/id_rsa_user",
            "hosts": [name_of(i) for i in rsa_user_hosts(n)]}


def rsa_user_files():
    """The user (key login only), its RSA key and an authorized_keys holding only that key."""
    try:
        pwd.getpwnam(RSA_USER)
    except KeyError:
        subprocess.run(["useradd", "-m", "-s", "/bin/bash", RSA_USER], check=True)
    # '*' allows key login only ('!' is "locked" to sshd without PAM)
    subprocess.run(["usermod", "-p", "*", RSA_USER], check=True)
    if not os.path.exists(RSA_KEY):
        subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "3072", "-N", "", "-C", "fleetports-lab-rsa",
                        "-f", RSA_KEY], check=True)
    os.makedirs(os.path.dirname(RSA_AUTHORIZED), exist_ok=True)
    os.chmod(os.path.dirname(RSA_AUTHORIZED), 0o755)
    with open(RSA_KEY + ".pub") as f:
        write(RSA_AUTHORIZED, f.read())


def rsa_user_verify(h):
    """With OpenSSH's own client: fprsa logs in with its RSA key (rsa-sha2) where it is allowed
    and not elsewhere, and a login signed as ssh-rsa (SHA-1) is refused."""
    args = ["-i", RSA_KEY, "-o", "IdentitiesOnly=yes"]
    name = h["name"]

    def login(extra):
        return subprocess.run(["ssh", "-F", os.path.join(RUN, "ssh_config"), "-l", RSA_USER] + args + extra +
                              [name, "id -un"], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
    p = login([])
    if is_rsa_user_host(h["index"]):
        if p.stdout.strip() != RSA_USER:
            return ["%s rsa-sha2 login: rc=%d %r" % (RSA_USER, p.returncode, p.stderr.strip())]
        p = login(["-o", "PubkeyAcceptedAlgorithms=ssh-rsa"])
        if p.returncode == 0:
            return ["%s logged in with an ssh-rsa (SHA-1) signature; sshd should refuse it" % RSA_USER]
    elif p.returncode == 0:
        return ["%s logged in on a host that does not allow it" % RSA_USER]
    return []


def rsa_user_sshd_lines(i):
    """sshd_config lines for host i: the user allowed, with its own authorized_keys (at the
    end: a Match block runs to the end of the file)."""
    if not is_rsa_user_host(i):
        return []
    return ["AllowUsers " + RSA_USER, "Match User " + RSA_USER,
            "  AuthorizedKeysFile " + RSA_AUTHORIZED, ""]


def cmd_files(n):
    make_noss_bin()
    hosts = [host_truth(i) for i in range(1, n + 1)]
    idfile = os.path.join(RUN, "id_ed25519")
    truth = {
        "version": 1,
        "count": n,
        "bridge": {"name": BRIDGE, "ipv4": "10.200.0.1/16", "ipv6": "fd00:200::1/64"},
        "users": {"root": "root", "unprivileged": "fpuser", "sudo": "fpsudo"},
        "files": {"inventory": "inventory/lab.txt", "inventory_ipv6": "lab/run/inventory-ipv6.txt",
                  "ssh_config": "lab/run/ssh_config", "known_hosts": "lab/run/known_hosts",
                  "identity": "lab/run/id_ed25519",
                  # write_ssh_config_features: alias fl-NNN, keys known only through this file.
                  "ssh_config_alias_prefix": "fl-", "known_hosts_alt": "lab/run/known_hosts.d/lab"},
        "hosts": hosts,
    }
    truth["rsa_user"] = rsa_user_truth(n)
    rsa_user_files()
    write(os.path.join(RUN, "truth.json"), json.dumps(truth, indent=1) + "\n")

    inv = ["# fleetports lab inventory, generated by lab/lab.sh up %d; do not edit" % n,
           "# host i is lab-NNN at 10.200.(i/200).(i%200+10); see lab/README.md"]
    for g in ("web", "db"):
        if not any(g in h["groups"] for h in hosts):
            continue
        inv.append("[%s]" % g)
        for h in hosts:
            if g in h["groups"]:
                inv.append("root@%s" % h["ipv4"])
    os.makedirs(os.path.join(ROOT, "inventory"), exist_ok=True)
    write(os.path.join(ROOT, "inventory", "lab.txt"), "\n".join(inv) + "\n")
    write(os.path.join(RUN, "inventory-ipv6.txt"),
          "# lab host 1 over IPv6\nroot@[%s]\n" % hosts[0]["ipv6"])

    cfg = ["# fleetports lab ssh_config, generated; use: ssh -F lab/run/ssh_config lab-001"]
    kh = []
    for h in hosts:
        d = os.path.join(RUN, h["name"])
        for alias, addr in ((h["name"], h["ipv4"]), (h["name"] + "-v6", h["ipv6"])):
            cfg += ["Host " + alias, "  HostName " + addr, "  User root",
                    "  IdentityFile " + idfile, "  IdentitiesOnly yes",
                    "  UserKnownHostsFile " + os.path.join(RUN, "known_hosts"),
                    "  GlobalKnownHostsFile /dev/null",
                    "  StrictHostKeyChecking yes", "  UpdateHostKeys no", "  CheckHostIP no",
                    "  BatchMode yes", "  ConnectTimeout 10", "  LogLevel ERROR", ""]
        for kt in ("ed25519", "ecdsa"):
            pub = os.path.join(d, "ssh_host_%s_key.pub" % kt)
            if os.path.exists(pub):
                with open(pub) as f:
                    parts = f.read().split()
                kh.append("%s,%s,%s %s %s" % (h["name"], h["ipv4"], h["ipv6"], parts[0], parts[1]))
        keys = ["HostKey %s/ssh_host_%s_key" % (d, kt) for kt in ("ed25519", "ecdsa")
                if os.path.exists(os.path.join(d, "ssh_host_%s_key" % kt))]
        sshd = keys + [
            "Port 22", "ListenAddress 0.0.0.0", "ListenAddress ::",
            "PidFile %s/sshd.pid" % d,
            "AuthorizedKeysFile %s/authorized_keys" % RUN,
            "PermitRootLogin prohibit-password", "PubkeyAuthentication yes",
            "PasswordAuthentication no", "KbdInteractiveAuthentication no",
            "UsePAM no", "StrictModes no", "UseDNS no",
            "MaxStartups 1000:30:1000", "MaxSessions 100", "LoginGraceTime 30",
            "PrintMotd no", "PrintLastLog no", "X11Forwarding no", "AllowTcpForwarding no",
            "AllowUsers root fpuser fpsudo", "Subsystem sftp internal-sftp",
            # The lab hosts share this machine's /root: bash run by sshd would source root's
            # ~/.bashrc, whose `pyenv init` takes a lock and stalls parallel logins for up to
            # 60 s. bash skips ~/.bashrc for ssh commands when SHLVL is already set.
            "SetEnv SHLVL=1" + ("" if has_ss(h["index"]) else " PATH=" + NOSS_BIN),
            "LogLevel ERROR", ""]
        sshd += rsa_user_sshd_lines(h["index"])
        write(os.path.join(d, "sshd_config"), "\n".join(sshd))
    cfg.insert(1, write_ssh_config_features(hosts, kh))
    write(os.path.join(RUN, "ssh_config"), "\n".join(cfg) + "\n")
    write(os.path.join(RUN, "known_hosts"), "\n".join(kh) + "\n")
    bastion_files()


def write_ssh_config_features(hosts, kh):
    """The lab's ssh_config as real users write it (issue 16): lab/run/ssh_config.d/*.conf
    pulled in by an Include with a glob, a Match block, and host keys known only through a
    UserKnownHostsFile in a non-default place (lab/run/known_hosts.d/lab). Aliases `fl-NNN`
    (lab-NNN's IPv4) reach the hosts through it: `ssh -F lab/run/ssh_config fl-001`.
    Returns the Include line for the top of lab/run/ssh_config."""
    conf_d = os.path.join(RUN, "ssh_config.d")
    kh_d = os.path.join(RUN, "known_hosts.d")
    for d in (conf_d, kh_d):
        os.makedirs(d, mode=0o700, exist_ok=True)
    write(os.path.join(kh_d, "lab"), "\n".join(kh) + "\n")
    hosts_conf = []
    for h in hosts:
        hosts_conf += ["Host fl-%03d" % h["index"], "  HostName " + h["ipv4"], ""]
    write(os.path.join(conf_d, "10-hosts.conf"), "\n".join(hosts_conf))
    # Evaluated after HostName is known: `Match host` sees the address, `originalhost` the alias.
    write(os.path.join(conf_d, "20-match.conf"), "\n".join([
        "Match originalhost fl-* host 10.200.*",
        "  User root",
        "  IdentityFile " + os.path.join(RUN, "id_ed25519"),
        "  IdentitiesOnly yes",
        "  UserKnownHostsFile " + os.path.join(kh_d, "lab"),
        "  GlobalKnownHostsFile /dev/null",
        "  StrictHostKeyChecking yes",
        "  ConnectTimeout 10",
        ""]))
    return "Include " + os.path.join(conf_d, "*.conf")


# ---------------------------------------------------------------- services (inside the host)

def set_comm(name):
    with open("/proc/self/comm", "w") as f:
        f.write(name)


def drop_to(user):
    pw = pwd.getpwnam(user)
    if pw.pw_uid == os.getuid():
        return
    os.setgroups([])
    os.setgid(pw.pw_gid)
    os.setuid(pw.pw_uid)


def listen_sock(proto, addr, port, backlog=64):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    typ = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(fam, typ)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port))
    if proto == "tcp":
        s.listen(backlog)
    return s


def netstat_counter(name):
    with open("/proc/net/netstat") as f:
        lines = f.read().splitlines()
    for a, b in zip(lines[0::2], lines[1::2]):
        if a.startswith("TcpExt:"):
            return int(dict(zip(a.split()[1:], b.split()[1:])).get(name, "0"))
    return 0


def run_service(i, s, keep):
    set_comm(s["comm"])
    k = s["kind"]
    if k == "unix":
        u = s["unix"][0]
        os.makedirs(os.path.dirname(u["path"]), exist_ok=True)
        if os.path.exists(u["path"]):
            os.unlink(u["path"])
        us = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        us.bind(u["path"])
        os.chmod(u["path"], int(u["mode"], 8))
        pw = pwd.getpwnam(u["user"])
        os.chown(u["path"], pw.pw_uid, pw.pw_gid)
        us.listen(16)
        keep.append(us)
        drop_to(s["user"])
        return
    if k == "container":
        start_container(i, s["container"])
    backlog = 1 if k == "overflow" else 64
    socks = [listen_sock(l["proto"], l["address"], l["port"], backlog) for l in s["listeners"]]
    keep += socks
    keep += udp_client_socks(s)
    drop_to(s["user"])
    if k == "web":
        for _ in range(s["established"]):
            c = socket.create_connection(("127.0.0.1", 80), timeout=5)
            a, _addr = socks[0].accept()
            keep += [c, a]
    elif k == "leak":
        clients = [socket.create_connection(("127.0.0.1", 8080), timeout=5) for _ in range(s["close_wait"])]
        for _ in clients:
            a, _addr = socks[0].accept()
            keep.append(a)          # never closed: CLOSE-WAIT once the client is gone
        for c in clients:
            c.close()
    elif k == "overflow":
        before = netstat_counter("ListenOverflows")
        for _ in range(s["flood"]):
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.setblocking(False)
            try:
                c.connect(("127.0.0.1", 7000))
            except BlockingIOError:
                pass
            keep.append(c)
        for _ in range(100):        # bounded: up to 5 s
            if netstat_counter("ListenOverflows") > before:
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("ListenOverflows did not rise")


def start_container(i, c):
    """A process in a nested network namespace listening on c["port"], joined to this host by
    a veth (fpc0 here, eth0 there), made a container by enter_container. It dies with its parent
    (PR_SET_PDEATHSIG), so lab down, which kills the parent, frees the namespace too."""
    libc = ctypes.CDLL(None, use_errno=True)
    r, w = os.pipe()
    r2, w2 = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r); os.close(w2)
            libc.prctl(1, signal.SIGKILL)                     # PR_SET_PDEATHSIG
            if libc.unshare(0x40000000) != 0:                 # CLONE_NEWNET
                raise OSError(ctypes.get_errno(), "unshare")
            os.write(w, b"1")
            os.read(r2, 1)                                    # the veth is here
            for cmd in (["ip", "link", "set", "lo", "up"], ["ip", "addr", "add", c["address"] + "/24", "dev", "eth0"],
                        ["ip", "link", "set", "eth0", "up"], ["ip", "route", "add", "default", "via", c["gateway"]]):
                subprocess.run(cmd, check=True, timeout=10)
            enter_container(i, c)
            set_comm(c["listeners"][0]["process"])
            ls = listen_sock("tcp", "0.0.0.0", c["port"])
            container_unpublished(c, ls)
            os.write(w, b"2")
            while True:                                       # accept and close: a reachable port
                a, _ = ls.accept()
                a.close()
        except BaseException as e:
            os.write(2, ("container: %r\n" % (e,)).encode())
            os._exit(1)
    os.close(w); os.close(r2)
    if os.read(r, 1) != b"1":
        raise RuntimeError("container namespace not made")
    subprocess.run(["ip", "link", "add", "fpc0", "type", "veth", "peer", "name", "eth0", "netns", str(pid)], check=True, timeout=10)
    subprocess.run(["ip", "addr", "add", c["gateway"] + "/24", "dev", "fpc0"], check=True, timeout=10)
    subprocess.run(["ip", "link", "set", "fpc0", "up"], check=True, timeout=10)
    with open("/proc/sys/net/ipv4/ip_forward", "w") as f:   # this namespace's own setting
        f.write("1\n")
    os.write(w2, b"1")
    if os.read(r, 1) != b"2":
        raise RuntimeError("container not listening")


def tcp_listening(port):
    want = ":%04X" % port
    for fn in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(fn) as f:
            for line in f.readlines()[1:]:
                p = line.split()
                if p[1].endswith(want) and p[3] == "0A":
                    return True
    return False


def hide_commands():
    """Hides `ss` and `base64` from this host. A PATH without them (NOSS_BIN, set by its sshd)
    no longer does it: the probe adds the standard directories to PATH itself. `ip netns exec`
    gave this host a mount namespace of its own that is a slave of the machine's (mounts made
    here never reach the machine); it is made private too, then /dev/null is bound over each
    command, which `command -v` and exec then do not take for a program."""
    # Refuse where mounts would reach the machine: a root mount that is shared and not a
    # slave (what the machine's own namespace has; `ip netns exec` makes its copy a slave).
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == "/":
                tags = fields[6:fields.index("-")]
                if any(t.startswith("shared:") for t in tags) and not any(t.startswith("master:") for t in tags):
                    raise RuntimeError("hide_commands: the root mount propagates to the machine (run under ip netns exec)")
                break
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    for cmd in NOSS_MISSING:
        path = os.path.join("/usr/bin", cmd)
        if os.path.exists(path):
            subprocess.run(["mount", "--bind", "/dev/null", path], check=True)


CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWPID = 0x20000000


def enter_pid_namespace(d):
    """Makes the rest of `serve` PID 1 of a PID namespace of the host's own, with its own /proc
    (issue 20): the host's sshd, services and sessions then see only the host's processes, so a
    probe's `ss -p` and /proc walk cover this host alone, as on a real machine. The caller forks;
    the parent (outside) waits for the child's ready byte, records the child's pid as seen from
    the machine in init.pid (lab.sh reads it) and exits, so host-up.sh returns; the child stays
    as the namespace's init, reaping its orphans (sshd daemonises). When it dies the kernel kills
    everything else in the namespace, which is what lab down relies on. Returns the pipe end on
    which the child reports ready (`serve_ready`)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWPID) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWPID)")
    r, w = os.pipe()
    pid = os.fork()
    if pid != 0:
        os.close(w)
        ok = os.read(r, 1) == b"1"
        if ok:
            write(os.path.join(d, "init.pid"), "%d\n" % pid)
        os._exit(0 if ok else 1)
    os.close(r)
    # A mount namespace of its own for the new /proc, private first so that nothing mounted
    # here reaches the namespace `ip netns exec` made (or, through it, the machine's).
    if libc.unshare(CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
    subprocess.run(["mount", "--make-rprivate", "/"], check=True, timeout=10)
    subprocess.run(["mount", "-t", "proc", "-o", "nosuid,nodev,noexec", "proc", "/proc"], check=True, timeout=10)
    return w


def serve_ready(w, log):
    """Tells the waiting parent that the host is up, then stays as the host's init: output goes
    to the log (the keeper reads host-up.sh's output until every holder closes it), orphans are
    reaped, SIGTERM ends it (an init only gets the signals it handles)."""
    lf = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    fd = os.open("/dev/null", os.O_RDWR)
    os.dup2(fd, 0); os.dup2(lf, 1); os.dup2(lf, 2)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    os.write(w, b"1")
    os.close(w)
    while True:
        try:
            os.wait()
        except ChildProcessError:
            time.sleep(1)


def cmd_serve(i):
    name = name_of(i)
    d = os.path.join(RUN, name)
    ready = enter_pid_namespace(d)
    socket.sethostname(name)
    if not has_ss(i):
        hide_commands()
    apply_firewall(i)
    os.makedirs(os.path.join(UNIXROOT, name), exist_ok=True)
    pidfile = os.path.join(d, "services.pid")
    log = os.path.join(d, "services.log")
    mount_cgroups()
    enter_cgroup_namespace(i)
    enter_unit(i, "sshd")           # sshd, its sessions (and so the probe) run in the sshd unit
    subprocess.run(["/usr/sbin/sshd", "-f", os.path.join(d, "sshd_config"),
                    "-E", os.path.join(d, "sshd.log")], check=True, stdin=subprocess.DEVNULL)
    with open(pidfile, "w") as pf:
        pass
    pipes = []
    stale_pids = {}
    for s in plan(i):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                os.setsid()
                fd = os.open("/dev/null", os.O_RDWR)
                lf = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                os.dup2(fd, 0); os.dup2(fd, 1); os.dup2(lf, 2)
                keep = []
                enter_unit(i, s["unit_key"])
                if s["kind"] == "stale":
                    run_stale(s, w)         # execs the copied binary: never returns
                run_service(i, s, keep)
                os.write(w, b"1")
                os.close(w)
                if s["kind"] == "container":
                    exec_docker_proxy(s["container"], keep)
                signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
                while True:
                    signal.pause()
            except BaseException as e:
                os.write(2, ("%s: %s: %r\n" % (name, s["comm"], e)).encode())
                os._exit(1)
        os.close(w)
        with open(pidfile, "a") as pf:
            pf.write("%d %s\n" % (pid, s["comm"]))
        pipes.append((r, s["comm"]))
        stale_pids[pid] = s
    bad = []
    for r, comm in pipes:
        if os.read(r, 1) != b"1":   # EOF: the child died before ready
            bad.append(comm)
        os.close(r)
    bad += finish_stale(stale_pids)
    bad += wait_for_docker_proxies(stale_pids)
    for _ in range(200):            # bounded: sshd listening within 10 s
        if tcp_listening(22):
            break
        time.sleep(0.05)
    else:
        bad.append("sshd")
    if bad:
        sys.exit("%s: not ready: %s" % (name, ", ".join(bad)))
    serve_ready(ready, log)


def wait_for_docker_proxies(services_by_pid):
    """A container's service reports ready before it execs the docker-proxy; the host is ready
    only once that process is named docker-proxy (and shows dockerd's command line), or a scan
    started at once could meet python3 and no publication. Bounded: 10 s."""
    bad = []
    for pid, s in services_by_pid.items():
        if s["kind"] != "container":
            continue
        for _ in range(200):
            try:
                with open("/proc/%d/comm" % pid) as f:
                    if f.read().strip() == "docker-proxy":
                        break
            except OSError:
                pass
            time.sleep(0.05)
        else:
            bad.append("docker-proxy (pid %d never renamed)" % pid)
    return bad


# ---------------------------------------------------------------- owners (issue 18)
# Who owns each listener: the truth's "owner" of every listener (comm, executable, process
# user, systemd-like unit, deleted), units as cgroups named like systemd's, a service whose
# binary is deleted after start, and a UDP client socket beside a UDP server on a high port.

UNIT_SLICE = "fleetlab.slice"
# The copied binary of the "stale" service; its file name becomes its comm.
STALE_COMM = "stale-daemon"
# A real UDP server on a port inside the ephemeral range (32768-60999), alone in its process.
HIGH_UDP_PORT = 40123


def python_exe():
    """The interpreter the services run as (/proc/<pid>/exe resolves symlinks)."""
    return os.path.realpath("/usr/bin/python3")


def unit_name(i, key):
    return "fplab-%03d-%s.service" % (i, re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-"))


def unit_path(i, key):
    """The cgroup path of a unit: the metrics agent runs in a user@ unit's app slice, like a
    user service; the rest in fleetlab.slice."""
    if key == "metrics agent":
        return "/%s/user@1001.service/app.slice/%s" % (UNIT_SLICE, unit_name(i, key))
    return "/%s/%s" % (UNIT_SLICE, unit_name(i, key))


def sshd_owner(i):
    return {"comm": "sshd", "executable": "/usr/sbin/sshd", "user": "root", "unit": unit_name(i, "sshd"),
            "deleted": False}


def owners_plan(i, svcs):
    """Adds the owner's truth to every service of plan(i), and the services of this section:
    on hosts i % 4 == 1 a service whose binary is deleted after start; on hosts i % 4 == 3 a
    UDP server on a high port; the metrics agent (i % 3 == 0) also holds a UDP client socket."""
    if i % 4 == 1:
        svcs.append({"kind": "stale", "comm": STALE_COMM, "user": "fpuser",
                     "listeners": [L("tcp", "0.0.0.0", 9443, STALE_COMM, "fpuser")]})
    if i % 4 == 3:
        svcs.append({"kind": "udp", "comm": "stats relay", "user": "fpuser",
                     "listeners": [L("udp", "0.0.0.0", HIGH_UDP_PORT, "stats relay", "fpuser")]})
    for sv in svcs:
        key = sv["comm"] if sv["kind"] != "container" else "docker-proxy"
        sv["unit_key"] = key
        stale = sv["kind"] == "stale"
        sv["owner"] = {"comm": sv["comm"], "executable": stale_path(i) if stale else python_exe(),
                       "user": sv["user"], "unit": unit_name(i, key), "deleted": stale}
        if sv["comm"] == "metrics agent":
            sv["udp_clients"] = [{"proto": "udp", "address": "0.0.0.0", "process": "metrics agent", "user": sv["user"]}]
    return svcs


def udp_client_socks(s):
    """A resolver-like socket: UDP, bound to port 0 (the kernel picks an ephemeral port), unconnected."""
    socks = []
    for c in s.get("udp_clients", []):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((c["address"], 0))
        socks.append(u)
    return socks


def cgroup_roots():
    """Where this machine lets the lab make unit cgroups: the cgroup v2 mount and the v1
    name=systemd one (a hybrid host has both; either may be missing)."""
    roots = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            sep = fields.index("-")
            fstype, opts = fields[sep + 1], fields[sep + 3] if len(fields) > sep + 3 else ""
            if fstype == "cgroup2" or (fstype == "cgroup" and "name=systemd" in opts.split(",")):
                roots.append(fields[4])
    return roots


def mount_cgroups():
    """`ip netns exec` gave this host a fresh /sys without the machine's cgroup mounts: mount
    the hierarchies the machine has again, here only (this mount namespace is a slave of the
    machine's, so nothing reaches it): cgroup v2, and v1 name=systemd where the machine has it."""
    if cgroup_roots():
        return
    with open("/proc/filesystems") as f:
        has_v2 = "cgroup2" in f.read().split()
    with open("/proc/self/cgroup") as f:
        has_named = any(":name=systemd:" in line for line in f)
    base = "/sys/fs/cgroup"
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "fplab-cgroup", base], check=True, timeout=10)
    if has_v2:
        os.makedirs(base + "/unified", exist_ok=True)
        subprocess.run(["mount", "-t", "cgroup2", "none", base + "/unified"], check=True, timeout=10)
    if has_named:
        os.makedirs(base + "/systemd", exist_ok=True)
        subprocess.run(["mount", "-t", "cgroup", "-o", "none,name=systemd", "cgroup", base + "/systemd"], check=True, timeout=10)


CLONE_NEWCGROUP = 0x02000000


def enter_cgroup_namespace(i):
    """A cgroup namespace of the host's own (issue 20), rooted at fleetlab.slice/fplab-NNN.slice
    of every hierarchy the lab uses, and those hierarchies mounted again inside it: the host then
    sees its own cgroups only (its units and containers, at the paths it saw before), as a real
    machine does. `ss -e` resolves socket cgroup ids by walking the whole hierarchy it sees, which
    without this is every lab host's units (≈ 5 a host): the host's cost would grow with the lab."""
    roots = cgroup_roots()
    if not roots:
        return
    for root in roots:
        path = "%s/%s/fplab-%03d.slice" % (root, UNIT_SLICE, i)
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWCGROUP) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWCGROUP)")
    for root in roots:
        v2 = root_is_cgroup2(root)
        subprocess.run(["umount", "-l", root], check=True, timeout=10)
        if v2:
            subprocess.run(["mount", "-t", "cgroup2", "none", root], check=True, timeout=10)
        else:
            subprocess.run(["mount", "-t", "cgroup", "-o", "none,name=systemd", "cgroup", root], check=True, timeout=10)


def root_is_cgroup2(root):
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == root:
                return fields[fields.index("-") + 1] == "cgroup2"
    return False


def enter_unit(i, key):
    """Moves this process into the unit's cgroup in every hierarchy the lab can use. A
    machine that allows none leaves the truth's unit unmet (the tests then say so)."""
    for root in cgroup_roots():
        path = root + unit_path(i, key)
        try:
            os.makedirs(path, exist_ok=True)
            with open(os.path.join(path, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))
        except OSError as e:
            os.write(2, ("enter_unit %s: %r\n" % (path, e)).encode())


def cmd_cgroups_down():
    """Removes every lab unit cgroup (deepest first); the lab's processes were killed just
    before, so a cgroup still busy is retried while they are reaped (bounded: 3 s)."""
    for _ in range(30):
        left = []
        for root in cgroup_roots():
            top = os.path.join(root, UNIT_SLICE)
            if not os.path.isdir(top):
                continue
            for d, _dirs, _files in sorted(os.walk(top), key=lambda x: -x[0].count("/")):
                try:
                    os.rmdir(d)
                except OSError as e:
                    left.append("%s: %s" % (d, e.strerror))
        if not left:
            break
        time.sleep(0.1)
    for x in left:
        print("cgroups-down: left %s" % x, file=sys.stderr)
    return 1 if left else 0


def stale_path(i):
    return os.path.join(UNIXROOT, name_of(i), "bin", STALE_COMM)


def run_stale(s, ready_fd):
    """The deleted-executable service: binds as root, drops to its user, then execs a copy
    of sleep(1) named stale-daemon that inherits the listening socket; cmd_serve deletes the
    copy once it runs (finish_stale), as a package upgrade would replace a daemon's binary."""
    i = int(socket.gethostname().rsplit("-", 1)[1])
    path = stale_path(i)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    subprocess.run(["cp", "/usr/bin/sleep", path], check=True)
    os.chmod(path, 0o755)
    socks = [listen_sock(l["proto"], l["address"], l["port"]) for l in s["listeners"]]
    for x in socks:
        x.set_inheritable(True)
    drop_to(s["user"])
    os.write(ready_fd, b"1")        # the pipe is close-on-exec: its EOF says the exec happened
    os.execv(path, [path, "infinity"])


def finish_stale(services_by_pid):
    """Deletes each stale service's binary once the process runs it; names those that never did."""
    bad = []
    for pid, s in services_by_pid.items():
        if s["kind"] != "stale":
            continue
        path = stale_path(int(socket.gethostname().rsplit("-", 1)[1]))
        for _ in range(100):        # bounded: 5 s
            try:
                if os.readlink("/proc/%d/exe" % pid) == path:
                    break
            except OSError:
                pass
            time.sleep(0.05)
        else:
            bad.append(s["comm"])
            continue
        os.unlink(path)
    return bad


def drop_udp_clients(got, want, h):
    """ss lists a UDP client socket (unconnected, bound) among UDP listeners: the truth names
    its owner, not its port (the kernel picks it)."""
    clients = set((c["proto"], c["address"], c["process"], c["user"]) for c in h.get("udp_clients", []))
    return set(x for x in got if x in want or (x[0], x[1], x[3], x[4]) not in clients)


# ---------------------------------------------------------------- keeper

def cmd_keeper(n, par):
    """Starts every host, then stays as child subreaper so that daemonised lab processes
    are reaped when lab down kills them (PID 1 may not reap in containers)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    set_comm("fplab-keeper")
    ready = os.path.join(RUN, "keeper.ready")
    hostup = os.path.join(LAB, "host-up.sh")

    def one(i):
        p = subprocess.run([hostup, str(i)], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        return i, p.returncode, p.stdout

    fails = []
    with concurrent.futures.ThreadPoolExecutor(par) as ex:
        for i, rc, out in ex.map(one, range(1, n + 1)):
            if rc != 0:
                fails.append("%s rc=%d %s" % (name_of(i), rc, out.strip()[-300:]))
    if not fails:
        fails += bastion_up()
    write(ready, ("ok\n" if not fails else "fail\n" + "\n".join(fails) + "\n"))
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    while True:
        try:
            os.wait()
        except ChildProcessError:
            time.sleep(1)


# ---------------------------------------------------------------- bastion network (issue 16)
# lab-001 is also a bastion: the only way into an inner network, 10.201.0.0/24 on a bridge
# (fpib0) inside its namespace, whose hosts the controller cannot reach (the root namespace
# routes 10.201.0.0/16 as `unreachable`, so a connect fails at once and nothing leaves by the
# default route). lab-901 is an inner host and itself a jump host: the only way to lab-911
# on 10.201.1.0/24 (a veth between the two), two hops from the controller. Inner hosts run
# the same sshd and service mix as lab hosts (plan(i)); their truth is truth-bastion.json.
BASTION = 1
INNER_JUMP = 901
INNER_UNREACHABLE = "10.201.0.0/16"
INNER = {
    901: {"ipv4": "10.201.0.11", "via": [BASTION]},
    902: {"ipv4": "10.201.0.12", "via": [BASTION]},
    905: {"ipv4": "10.201.0.15", "via": [BASTION]},
    911: {"ipv4": "10.201.1.11", "via": [BASTION, INNER_JUMP]},
}


def inner_sshd_config(i, d):
    """The sshd_config of an inner host: as a lab host's, and forwarding allowed on the inner jump."""
    return "\n".join([
        "HostKey %s/ssh_host_ed25519_key" % d,
        "Port 22", "ListenAddress 0.0.0.0", "ListenAddress ::", "PidFile %s/sshd.pid" % d,
        "AuthorizedKeysFile %s/authorized_keys" % RUN,
        "PermitRootLogin prohibit-password", "PubkeyAuthentication yes",
        "PasswordAuthentication no", "KbdInteractiveAuthentication no",
        "UsePAM no", "StrictModes no", "UseDNS no",
        "MaxStartups 1000:30:1000", "MaxSessions 100", "LoginGraceTime 30",
        "PrintMotd no", "PrintLastLog no", "X11Forwarding no",
        "AllowTcpForwarding %s" % ("yes" if i == INNER_JUMP else "no"),
        "AllowUsers root fpuser fpsudo", "SetEnv SHLVL=1", "LogLevel ERROR", ""])


def bastion_files():
    """Host keys, sshd configs, known_hosts lines, ssh_config aliases and truth for the inner hosts."""
    idfile = os.path.join(RUN, "id_ed25519")
    config = os.path.join(RUN, "ssh_config")
    common = ["  User root", "  IdentityFile " + idfile, "  IdentitiesOnly yes",
              "  UserKnownHostsFile " + os.path.join(RUN, "known_hosts"), "  GlobalKnownHostsFile /dev/null",
              "  StrictHostKeyChecking yes", "  UpdateHostKeys no", "  CheckHostIP no",
              "  BatchMode yes", "  ConnectTimeout 10", "  LogLevel ERROR"]
    # The bastion forwards: allowed on lab-001 only (the other lab hosts keep it off).
    bastion_cfg = os.path.join(RUN, name_of(BASTION), "sshd_config")
    with open(bastion_cfg) as f:
        text = f.read()
    write(bastion_cfg, text.replace("AllowTcpForwarding no", "AllowTcpForwarding yes"))
    cfg = ["", "# bastion network (issue 16): inner hosts only reachable through " + name_of(BASTION)]
    kh = []
    hosts = []
    for i, inner in sorted(INNER.items()):
        name, d = name_of(i), os.path.join(RUN, name_of(i))
        os.makedirs(d, exist_ok=True)
        key = os.path.join(d, "ssh_host_ed25519_key")
        if not os.path.exists(key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", key], check=True, timeout=30)
        with open(key + ".pub") as f:
            parts = f.read().split()
        kh.append("%s,%s %s %s" % (name, inner["ipv4"], parts[0], parts[1]))
        write(os.path.join(d, "sshd_config"), inner_sshd_config(i, d))
        # Each host names its last jump only; lab-901's own ProxyJump makes lab-911 two hops,
        # as `ssh` resolves it.
        cfg += ["Host " + name, "  HostName " + inner["ipv4"], "  ProxyJump " + name_of(inner["via"][-1])] + common + [""]
        truth = host_truth(i)
        truth.update({"ipv6": "", "host_keys": ["ssh-ed25519"], "jumps": [name_of(j) for j in inner["via"]]})
        hosts.append(truth)
    probe = name_of(902)
    cfg += [
        "# " + probe + " through a ProxyCommand (OpenSSH's own -W through the bastion)",
        "Host %s-pc" % probe, "  HostName " + INNER[902]["ipv4"],
        "  ProxyCommand ssh -F %s -W %%h:%%p %s" % (config, name_of(BASTION))] + common + [""]
    cfg += [
        "# a jump host where nothing listens (the bastion's port 2), and a host behind it",
        "Host lab-dead-jump", "  HostName " + ipv4_of(BASTION), "  Port 2"] + common + [""]
    cfg += ["Host %s-deadjump" % probe, "  HostName " + INNER[902]["ipv4"], "  ProxyJump lab-dead-jump"] + common + [""]
    cfg += [
        "# a ProxyCommand that fails: its stderr must reach the row",
        "Host %s-badpc" % probe, "  HostName " + INNER[902]["ipv4"],
        "  ProxyCommand ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=5 -p 2 %s -W %%h:%%p" % ipv4_of(BASTION)] + common + [""]
    with open(config, "a") as f:
        f.write("\n".join(cfg) + "\n")
    with open(os.path.join(RUN, "known_hosts"), "a") as f:
        f.write("\n".join(kh) + "\n")
    write(os.path.join(RUN, "truth-bastion.json"), json.dumps({
        "version": 1, "bastion": name_of(BASTION), "inner_jump": name_of(INNER_JUMP),
        "unreachable": INNER_UNREACHABLE,
        "aliases": {"proxy_command": probe + "-pc", "dead_jump": "lab-dead-jump",
                    "behind_dead_jump": probe + "-deadjump", "failing_proxy_command": probe + "-badpc"},
        "hosts": hosts}, indent=1) + "\n")


def bastion_up():
    """The inner networks and hosts (run by the keeper, after the lab hosts are up).
    Returns a list of failures (empty when every inner host is serving)."""
    def ip(*args):
        subprocess.run(["ip"] + list(args), check=True, timeout=30, stdin=subprocess.DEVNULL)
    bastion = ns_of(BASTION)
    try:
        ip("route", "replace", "unreachable", INNER_UNREACHABLE)
        ip("-n", bastion, "link", "add", "fpib0", "type", "bridge")
        ip("-n", bastion, "addr", "add", "10.201.0.1/24", "dev", "fpib0")
        ip("-n", bastion, "link", "set", "fpib0", "up")
        for i, inner in sorted(INNER.items()):
            ip("netns", "add", ns_of(i))
            ip("-n", ns_of(i), "link", "set", "lo", "up")
            if inner["via"][-1] == BASTION:
                ip("-n", bastion, "link", "add", "fpi%d" % i, "type", "veth", "peer", "name", "eth0", "netns", ns_of(i))
                ip("-n", bastion, "link", "set", "fpi%d" % i, "master", "fpib0", "up")
            else:
                gateway = ns_of(inner["via"][-1])
                ip("-n", gateway, "link", "add", "deep0", "type", "veth", "peer", "name", "eth0", "netns", ns_of(i))
                ip("-n", gateway, "addr", "add", "10.201.1.1/24", "dev", "deep0")
                ip("-n", gateway, "link", "set", "deep0", "up")
            ip("-n", ns_of(i), "addr", "add", inner["ipv4"] + "/24", "dev", "eth0")
            ip("-n", ns_of(i), "link", "set", "eth0", "up")
            etc = "/etc/netns/" + ns_of(i)
            os.makedirs(etc, exist_ok=True)
            write(etc + "/hosts", "127.0.0.1\tlocalhost\n%s\t%s\n" % (inner["ipv4"], name_of(i)))
            write(etc + "/resolv.conf", "# fleetports lab: no resolver\nnameserver 127.0.0.1\n")
    except subprocess.SubprocessError as e:
        return ["bastion network: %s" % e]
    fails = []
    for i in sorted(INNER):
        p = subprocess.run(["ip", "netns", "exec", ns_of(i), "unshare", "--uts", "--", "/usr/bin/python3",
                            os.path.abspath(__file__), "serve", str(i)],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        if p.returncode != 0:
            fails.append("%s rc=%d %s" % (name_of(i), p.returncode, p.stdout.strip()[-300:]))
    return fails


# ---------------------------------------------------------------- verify

# ss prints names unescaped, quotes included: a name ends at the first `",pid=N,fd=N)`.
USERS_RE = re.compile(r'\("(.*?)",pid=(\d+),fd=\d+\)')


def split_addr(s):
    host, _, port = s.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host == "*":
        host = "0.0.0.0"
    return host, int(port) if port.isdigit() else port


def route_ok(addr):
    ip = ipaddress.ip_address(addr)
    if ip not in LAB_NET and ip not in LAB_NET6:
        return False
    out = subprocess.run(["ip", "route", "get", addr], capture_output=True, text=True).stdout
    return (" dev %s " % BRIDGE) in out + " "


def ssh(alias, cmd, user=None, timeout=30):
    args = ["ssh", "-F", os.path.join(RUN, "ssh_config")]
    if user:
        args += ["-l", user]
    return subprocess.run(args + [alias, cmd], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout)


PROBE = ("hostname; echo @@; /usr/bin/ss -Htlnp; echo @@; /usr/bin/ss -Hulnp; echo @@; /usr/bin/ss -Htan; echo @@; "
         "/usr/bin/ss -Hxlp; echo @@; ps -eo pid=,user:32=; echo @@; grep TcpExt: /proc/net/netstat; echo @@; ")


def verify_host(h):
    errs = []
    name = h["name"]
    for a in (h["ipv4"], h["ipv6"]):
        if not route_ok(a):
            return name, ["refusing: %s does not route via %s" % (a, BRIDGE)]
    paths = " ".join(u["path"] for u in h["unix_sockets"])
    cmd = PROBE + ("stat -c '%n %a %U' " + paths if paths else "true")
    p = ssh(name, cmd if h["has_ss"] else "hostname")
    if p.returncode != 0:
        return name, ["ssh root failed rc=%d: %s" % (p.returncode, p.stderr.strip())]
    out = p.stdout
    if not h["has_ss"]:
        # ss is hidden from this host's sessions (hide_commands): read the kernel's view from a
        # fresh `ip netns exec` (its own mount namespace, ss visible), the hostname over ssh.
        q = subprocess.run(["ip", "netns", "exec", h["namespace"], "sh", "-c", cmd], capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=30)
        out = p.stdout + "@@\n" + q.stdout.split("@@\n", 1)[-1] if "@@\n" in q.stdout else ""
    parts = out.split("@@\n")
    if len(parts) != 8:
        return name, ["unexpected probe output"]
    hostname, tl, ul, tan, xl, ps, netstat, stat = parts
    if hostname.strip() != name:
        errs.append("hostname %r != %r" % (hostname.strip(), name))
    users = {}
    for line in ps.splitlines():
        f = line.split()
        if len(f) == 2:
            users[f[0]] = f[1]
    got = set()
    for proto, text in (("tcp", tl), ("udp", ul)):
        for line in text.splitlines():
            f = line.split()
            if len(f) < 5:
                continue
            addr, port = split_addr(f[3])
            m = USERS_RE.findall(line)
            procs = sorted(set((c, users.get(pid, "?")) for c, pid in m)) or [("?", "?")]
            for comm, user in procs:
                got.add((proto, addr, port, comm, user))
    want = set((l["proto"], l["address"], l["port"], l["process"], l["user"]) for l in h["listeners"])
    got = drop_udp_clients(got, want, h)
    for x in sorted(want - got, key=str):
        errs.append("missing listener %s" % (x,))
    for x in sorted(got - want, key=str):
        errs.append("unexpected listener %s" % (x,))
    cw = est = 0
    for line in tan.splitlines():
        f = line.split()
        if len(f) < 5:
            continue
        if f[0] == "CLOSE-WAIT":
            cw += 1
        if f[0] == "ESTAB" and (split_addr(f[3])[1] == 80 or split_addr(f[4])[1] == 80):
            est += 1
    if cw != h["close_wait"]:
        errs.append("close-wait %d != %d" % (cw, h["close_wait"]))
    if est != 2 * h["established"]:
        errs.append("established sockets on :80 %d != %d" % (est, 2 * h["established"]))
    nl = netstat.splitlines()
    ovf = 0
    if len(nl) >= 2:
        ovf = int(dict(zip(nl[0].split()[1:], nl[1].split()[1:])).get("ListenOverflows", "0"))
    if h["listen_overflow"] and ovf <= 0:
        errs.append("ListenOverflows is 0 but overflow was induced")
    xs = set()
    for line in xl.splitlines():
        f = line.split()
        if len(f) >= 5 and f[0] == "u_str":
            xs.add(f[4])
    wantx = set(u["path"] for u in h["unix_sockets"])
    if xs != wantx:
        errs.append("unix listeners %s != %s" % (sorted(xs), sorted(wantx)))
    st = {}
    for line in stat.splitlines():
        f = line.split()
        if len(f) == 3:
            st[f[0]] = (f[1], f[2])
    for u in h["unix_sockets"]:
        if st.get(u["path"]) != (u["mode"].lstrip("0"), u["user"]):
            errs.append("unix %s mode/owner %s != %s %s" % (u["path"], st.get(u["path"]), u["mode"], u["user"]))
    # users: fpuser logs in and has no sudo; fpsudo has passwordless sudo
    p = ssh(name, "id -un; sudo -n true 2>/dev/null && echo SUDO || echo NOSUDO", user="fpuser")
    if p.stdout.split() != ["fpuser", "NOSUDO"]:
        errs.append("fpuser check: rc=%d %r %r" % (p.returncode, p.stdout, p.stderr.strip()))
    p = ssh(name, "id -un; sudo -n true && echo SUDO || echo NOSUDO", user="fpsudo")
    if p.stdout.split() != ["fpsudo", "SUDO"]:
        errs.append("fpsudo check: rc=%d %r %r" % (p.returncode, p.stdout, p.stderr.strip()))
    p = ssh(name + "-v6", "hostname")
    if p.stdout.strip() != name:
        errs.append("ipv6 ssh: rc=%d %r %r" % (p.returncode, p.stdout, p.stderr.strip()))
    errs += rsa_user_verify(h)
    return name, errs


def cmd_verify(par):
    with open(os.path.join(RUN, "truth.json")) as f:
        truth = json.load(f)
    bad = 0
    with concurrent.futures.ThreadPoolExecutor(par) as ex:
        for name, errs in ex.map(verify_host, truth["hosts"]):
            if errs:
                bad += 1
                for e in errs:
                    print("FAIL %s: %s" % (name, e))
    n = len(truth["hosts"])
    print("verify: %d/%d hosts match truth.json" % (n - bad, n))
    return 1 if bad else 0


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    if a[0] == "files":
        cmd_files(int(a[1]))
    elif a[0] == "keeper":
        cmd_keeper(int(a[1]), int(a[2]) if len(a) > 2 else 16)
    elif a[0] == "serve":
        cmd_serve(int(a[1]))
    elif a[0] == "verify":
        sys.exit(cmd_verify(int(a[1]) if len(a) > 1 else 8))
    elif a[0] == "cgroups-down":
        sys.exit(cmd_cgroups_down())
    elif a[0] == "ipv4":
        print(ipv4_of(int(a[1])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
