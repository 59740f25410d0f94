#!/usr/bin/python3
"""Socket helper for capture15.sh (stdlib only). Run inside the fpparse-cap netns.

  sockets15.py ROLE STATE_DIR

Each role sets its /proc/self/comm, makes its sockets, writes STATE_DIR/pids/<pid>
and STATE_DIR/ready-<role>, and dies with its parent (PR_SET_PDEATHSIG).
"""
import ctypes, os, signal, socket, sys, time

libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
role, state = sys.argv[1], sys.argv[2]
with open("/proc/self/comm", "w") as f:
    f.write(role[:15])
KEEP = []


def listen(family, addr, port, backlog=128, proto=0, v6only=1):
    s = socket.socket(family, socket.SOCK_STREAM, proto)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    s.bind((addr, port))
    s.listen(backlog)
    KEEP.append(s)
    return s


def udp(family, addr, port):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((addr, port))
    KEEP.append(s)


if role == "nginx":
    srv = listen(socket.AF_INET, "0.0.0.0", 80, 511)
    c = socket.create_connection(("127.0.0.1", 80))
    KEEP.append(c)
    a, _ = srv.accept()
    KEEP.append(a)
    c.sendall(b"x" * 517)  # never read: Recv-Q 517 on the accepted side
elif role == "chronyd":
    os.setgid(104); os.setuid(104)
    udp(socket.AF_INET, "127.0.0.1", 323)
    udp(socket.AF_INET6, "::1", 323)
elif role == "sshd":
    listen(socket.AF_INET, "0.0.0.0", 22)
    listen(socket.AF_INET6, "::", 22)
elif role == "cupsd":
    listen(socket.AF_INET, "127.0.0.1", 631, 4096)
    listen(socket.AF_INET6, "::1", 631, 4096)
elif role == "javaapp":
    listen(socket.AF_INET, "127.0.0.1", 8080, 511)
    listen(socket.AF_INET, "0.0.0.0", 7777)  # fpcustom in the capture's own /etc/services
elif role == "gateway":
    listen(socket.AF_INET, "0.0.0.0", 8443, 4096, proto=262)  # IPPROTO_MPTCP
    listen(socket.AF_INET6, "::", 8443, 4096, proto=262)
elif role == "pinger":
    for fam, proto in ((socket.AF_INET, socket.IPPROTO_ICMP), (socket.AF_INET6, socket.IPPROTO_ICMPV6),
                       (socket.AF_INET, socket.IPPROTO_RAW), (socket.AF_INET, socket.IPPROTO_UDP)):
        KEEP.append(socket.socket(fam, socket.SOCK_RAW, proto))
    KEEP.append(socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)))  # ETH_P_ALL
    KEEP.append(socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800)))
    n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)  # NETLINK_ROUTE
    n.bind((0, 0)); KEEP.append(n)
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        try:
            v = socket.socket(socket.AF_VSOCK, kind)
            v.bind((socket.VMADDR_CID_ANY, 5000)); 
            if kind == socket.SOCK_STREAM: v.listen(8)
            KEEP.append(v)
        except OSError as e:
            pass  # no vsock transport on this kernel (ENODEV)
elif role == "worker":
    listen(socket.AF_INET, "127.0.0.1", 7070)
    listen(socket.AF_INET6, "::1", 7071)
    udp(socket.AF_INET, "127.0.0.1", 7072)
elif role == "dhclient":
    udp(socket.AF_INET, "0.0.0.0", 68)

with open(os.path.join(state, "pids", str(os.getpid())), "w") as f:
    f.write(role)
open(os.path.join(state, "pids", "ready-" + role), "w").close()
while True:
    time.sleep(3600)
