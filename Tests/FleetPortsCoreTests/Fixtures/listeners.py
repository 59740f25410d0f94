#!/usr/bin/python3
"""Listener helper for capture.sh (stdlib only).

Run inside the `fpfix` network namespace only.

  listeners.py root STATE_DIR   -> root-owned listeners, clients, raw sockets
  listeners.py user STATE_DIR   -> listeners owned by the unprivileged user

Every process it creates writes its pid to STATE_DIR/pids/<pid> and dies with
its parent (PR_SET_PDEATHSIG), so capture.sh can kill exactly these processes.
When everything is set up, the role writes STATE_DIR/ready-<role>.
"""
import ctypes
import os
import signal
import socket
import sys
import time

LL = "fe80::ff:fefa:1"      # link-local of d0 (MAC 02:00:00:fa:00:01)
IFACE = "d0"
LONG6 = "fd00:250::1234:5678:9abc:def0"   # second address on d0
PY = "/usr/bin/python3"
UNIXDIR = "/run/fpfix"

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1

KEEP = []  # keep every socket object alive


def setcomm(name):
    # /proc/self/comm: at most 15 bytes
    with open("/proc/self/comm", "w") as f:
        f.write(name)


def register(state):
    with open(os.path.join(state, "pids", str(os.getpid())), "w") as f:
        f.write(open("/proc/self/comm").read())


def die_with_parent():
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def tcp4(addr, port, backlog=16):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(backlog)
    KEEP.append(s)
    return s


def tcp6(addr, port, v6only=1, scope=0, backlog=16):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    s.bind((addr, port, 0, scope))
    s.listen(backlog)
    KEEP.append(s)
    return s


def udp4(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    KEEP.append(s)
    return s


def udp6(addr, port, v6only=1, scope=0):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    s.bind((addr, port, 0, scope))
    KEEP.append(s)
    return s


def unix_listen(path, kind, backlog=16):
    s = socket.socket(socket.AF_UNIX, kind)
    if not path.startswith("\0"):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    s.bind(path)
    if kind != socket.SOCK_DGRAM:
        s.listen(backlog)
    KEEP.append(s)
    return s


def connect(family, addr, scope=0):
    c = socket.socket(family, socket.SOCK_STREAM)
    if family == socket.AF_INET6:
        c.connect((addr[0], addr[1], 0, scope))
    else:
        c.connect(addr)
    KEEP.append(c)
    return c


def sleep_forever():
    while True:
        time.sleep(3600)


def child(state, name):
    """fork + exec this script as role `name` with argv[0] = `name` (netstat
    shows the basename of argv[0], ss and lsof show /proc/PID/comm)"""
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(PY, [name, os.path.abspath(__file__), "child", name, state])
        finally:
            os._exit(1)
    return pid


def run_child(state, name):
    die_with_parent()
    setcomm(name[:15])
    register(state)
    CHILDREN[name](state)
    open(os.path.join(state, "ready-" + safe(name)), "w").close()
    sleep_forever()


def safe(n):
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in n)


def wait_ready(state, names, timeout=10):
    end = time.time() + timeout
    for n in names:
        p = os.path.join(state, "ready-" + safe(n))
        while not os.path.exists(p):
            if time.time() > end:
                raise SystemExit("child %r not ready" % n)
            time.sleep(0.05)


WEIRD = 'my "web" (x),y'


def body_weird(state):
    # process whose name contains space, double quote, parentheses, comma
    tcp4("0.0.0.0", 8080)
    udp4("127.0.0.1", 8081)
    unix_listen(UNIXDIR + "/with space.sock", socket.SOCK_STREAM)


def body_shared(state):
    # one socket held by two processes: fp-shared listens, then forks a
    # second fp-shared that inherits (and keeps) the same listening fds
    tcp4("0.0.0.0", 7040)
    tcp6("::", 7041, v6only=1)
    k = os.fork()
    if k == 0:
        try:
            die_with_parent()
            register(state)
            open(os.path.join(state, "ready-shared-kid"), "w").close()
            sleep_forever()
        finally:
            os._exit(0)
    wait_ready(state, ["shared-kid"])


def body_clients(state):
    ll = socket.if_nametoindex(IFACE)
    connect(socket.AF_INET, ("127.0.0.1", 7001))              # v4 ESTAB
    connect(socket.AF_INET, ("10.200.250.1", 7003))           # v4 ESTAB, non-loopback
    connect(socket.AF_INET6, ("::1", 7011))                   # v6 ESTAB
    connect(socket.AF_INET6, ("fd00:250::1", 7013))           # v6 ESTAB
    connect(socket.AF_INET6, (LL, 7014), scope=ll)            # link-local ESTAB
    connect(socket.AF_INET6, (LONG6, 7015))                   # long v6 ESTAB (both ends long)
    connect(socket.AF_INET, ("127.0.0.1", 7020))              # -> ::ffff:127.0.0.1 peer
    # backlog-1 listener that never accepts: 2 fit in the accept queue
    connect(socket.AF_INET, ("127.0.0.1", 7050))
    connect(socket.AF_INET, ("127.0.0.1", 7050))
    # Unix stream connections
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.connect(UNIXDIR + "/stream.sock")
    KEEP.append(u)
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.connect("\0fpfix-abstract")
    KEEP.append(u)
    # CLOSE-WAIT: connect, then close fully (server keeps its end open)
    for fam, addr in ((socket.AF_INET, ("127.0.0.1", 7030)),
                      (socket.AF_INET6, ("::1", 7031, 0, 0))):
        c = socket.socket(fam, socket.SOCK_STREAM)
        c.connect(addr)
        time.sleep(0.1)
        c.close()


CHILDREN = {WEIRD: body_weird, "fp-shared": body_shared, "fp-client": body_clients}


def role_root(state):
    ll = socket.if_nametoindex(IFACE)
    setcomm(ARGV0["root"])
    register(state)
    die_with_parent()
    os.makedirs(UNIXDIR, exist_ok=True)

    # --- TCP listeners
    tcp4("127.0.0.1", 7001)
    tcp4("0.0.0.0", 7002)
    tcp4("10.200.250.1", 7003)
    tcp6("::1", 7011)
    tcp6("::", 7012, v6only=1)
    tcp6("fd00:250::1", 7013)
    tcp6(LL, 7014, scope=ll)
    tcp6(LONG6, 7015)                   # long address: netstat without -W truncates it
    tcp6("::", 7020, v6only=0)          # dual-stack
    # --- UDP sockets
    udp4("127.0.0.1", 7101)
    udp4("0.0.0.0", 7102)
    udp4("10.200.250.1", 7103)
    udp6("::1", 7111)
    udp6("::", 7112, v6only=1)
    udp6("fd00:250::1", 7113)
    udp6(LL, 7114, scope=ll)
    udp6(LONG6, 7115)
    udp6("::", 7120, v6only=0)          # dual-stack
    # --- raw sockets (so /proc/net/raw and raw6 have rows)
    KEEP.append(socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
    KEEP.append(socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6))
    # --- Unix sockets
    unix_listen(UNIXDIR + "/stream.sock", socket.SOCK_STREAM)
    unix_listen(UNIXDIR + "/dgram.sock", socket.SOCK_DGRAM)
    unix_listen(UNIXDIR + "/seqpacket.sock", socket.SOCK_SEQPACKET)
    unix_listen("\0fpfix-abstract", socket.SOCK_STREAM)
    # --- CLOSE-WAIT listeners (accepted sockets are kept open forever)
    cw4 = tcp4("127.0.0.1", 7030)
    cw6 = tcp6("::1", 7031)
    # --- backlog 1, never accepts
    tcp4("127.0.0.1", 7050, backlog=1)

    child(state, WEIRD)
    child(state, "fp-shared")
    wait_ready(state, [WEIRD, "fp-shared"])
    child(state, "fp-client")
    wait_ready(state, ["fp-client"])

    # accept what should be accepted (not port 7050)
    for s in list(KEEP):
        if s.type != socket.SOCK_STREAM:
            continue
        try:
            port = s.getsockname()[1]
        except OSError:
            continue
        if port in (7001, 7003, 7011, 7013, 7014, 7015, 7020) and s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
            KEEP.append(s.accept()[0])
    for s in (cw4, cw6):
        KEEP.append(s.accept()[0])   # never closed -> CLOSE-WAIT
    for s in list(KEEP):
        if s.family == socket.AF_UNIX and s.type == socket.SOCK_STREAM and s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
            name = s.getsockname()
            if name in (UNIXDIR + "/stream.sock", b"\0fpfix-abstract", "\0fpfix-abstract"):
                KEEP.append(s.accept()[0])
    open(os.path.join(state, "ready-root"), "w").close()
    sleep_forever()


def role_user(state):
    setcomm(ARGV0["user"][:15])     # comm is truncated to 15 bytes: "fp-user-long-na"
    register(state)
    die_with_parent()
    tcp4("0.0.0.0", 9000)
    tcp6("::", 9001, v6only=1)
    udp4("0.0.0.0", 9002)
    unix_listen(UNIXDIR + "/user/user.sock", socket.SOCK_STREAM)
    open(os.path.join(state, "ready-user"), "w").close()
    sleep_forever()


ARGV0 = {"root": "fp-listen", "user": "fp-user-long-name-daemon"}

if __name__ == "__main__":
    if sys.argv[1] == "child":
        run_child(sys.argv[3], sys.argv[2])
    role, state = sys.argv[1], sys.argv[2]
    if os.path.basename(sys.orig_argv[0]) != ARGV0[role]:
        os.execv(PY, [ARGV0[role], os.path.abspath(__file__), role, state])
    {"root": role_root, "user": role_user}[role](state)
