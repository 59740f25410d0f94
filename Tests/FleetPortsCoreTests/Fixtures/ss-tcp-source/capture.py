#!/usr/bin/python3
"""Captures `ss -tuaxnpe` and /proc/net/tcp, tcp6 at one moment (ss before and after the two
reads; the capture is kept only when both ss runs are identical), in a network namespace of
its own: `unshare -n sh -c 'ip link set lo up; python3 capture.py'` as root. Sockets: IPv4 and
IPv6 listeners (V6ONLY and dual-stack), one bound to a device (SO_BINDTODEVICE lo), one of user
nobody, a short backlog with a connection waiting in the accept queue, established
connections over IPv4, IPv6 and IPv4-mapped IPv6, a TIME-WAIT socket, a Unix listener whose
path holds a space. ss-tuaxnpe-nobody.out: the same ss run as user nobody."""
import os
import socket
import subprocess
import sys
import time

OUT = os.path.dirname(os.path.abspath(__file__))
held = []


def listen(family, address, port, v6only=None, backlog=77):
    s = socket.socket(family)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    s.bind((address, port))
    s.listen(backlog)
    held.append(s)
    return s


first = listen(socket.AF_INET, "0.0.0.0", 7001)
listen(socket.AF_INET6, "::", 7002, 1)
listen(socket.AF_INET6, "::", 7003, 0)
listen(socket.AF_INET, "127.0.0.1", 7004, backlog=5)
listen(socket.AF_INET6, "::1", 7006, 1)
held += [socket.create_connection(("127.0.0.1", 7004)), socket.create_connection(("127.0.0.1", 7003)),
         socket.create_connection(("::1", 7006))]
# TIME-WAIT: the accepting side closes first.
client = socket.create_connection(("127.0.0.1", 7001))
accepted, _ = first.accept()
accepted.close()
time.sleep(0.05)
client.close()
device = socket.socket()
device.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"lo")
device.bind(("0.0.0.0", 7005))
device.listen()
held.append(device)
unix_path = "/tmp/fp capture-%d.sock" % os.getpid()  # a space, as paths may have
unix = socket.socket(socket.AF_UNIX)
unix.bind(unix_path)
unix.listen()
held.append(unix)
other = subprocess.Popen(["runuser", "-u", "nobody", "--", "python3", "-c",
                          "import socket,time;s=socket.socket();s.bind(('0.0.0.0',7010));s.listen();time.sleep(5)"])
time.sleep(0.5)
try:
    before = subprocess.run(["ss", "-tuaxnpe"], capture_output=True, check=True).stdout
    tables = {name: open("/proc/net/" + name, "rb").read() for name in ("tcp", "tcp6")}
    after = subprocess.run(["ss", "-tuaxnpe"], capture_output=True, check=True).stdout
    # As another user ss names none of root's processes: the Unix lines end in -e's extras.
    nobody = subprocess.run(["runuser", "-u", "nobody", "--", "ss", "-tuaxnpe"], capture_output=True, check=True).stdout
finally:
    other.kill()
    os.unlink(unix_path)
if before != after:
    sys.exit("ss changed between the two runs: capture again")
open(os.path.join(OUT, "ss-tuaxnpe.out"), "wb").write(before)
open(os.path.join(OUT, "ss-tuaxnpe-nobody.out"), "wb").write(nobody)
for name, data in tables.items():
    open(os.path.join(OUT, "proc-net-%s.out" % name), "wb").write(data)
