#!/usr/bin/env python3
"""Listeners for capture.sh: one forked process per socket, comm set like the lab does.
Usage: listeners.py SPEC... ; SPEC = comm,user,kind,address,port (kind tcp|udp|unix|abstract|timewait)."""
import os, pwd, socket, sys, time

def serve(comm, user, kind, address, port):
    with open("/proc/self/comm", "w") as f:
        f.write(comm)
    if user != "root":  # before socket(): /proc/net shows the uid that created the socket
        os.setgid(pwd.getpwnam(user).pw_gid)
        os.setuid(pwd.getpwnam(user).pw_uid)
    if kind == "tcp":
        s = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    elif kind == "udp":
        s = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_DGRAM)
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if kind == "unix":
        s.bind(address)
        os.chmod(address, int(port, 8))
    elif kind == "abstract":
        s.bind("\0" + address)
    else:
        s.bind((address, int(port)))
    if kind in ("tcp", "unix", "abstract"):
        s.listen(16)
    if kind == "tcp" and comm == "timewait":
        for _ in range(60):  # the connecting side closes first: its sockets stay in TIME-WAIT
            c = socket.create_connection((address, int(port)))
            a, _ = s.accept()
            c.close()
            a.close()
    while True:
        time.sleep(3600)

for spec in sys.argv[1:]:
    comm, user, kind, address, port = spec.split(",")
    if os.fork() == 0:
        serve(comm, user, kind, address, port)
        os._exit(0)
time.sleep(1)
