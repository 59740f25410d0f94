#!/usr/bin/python3
"""Re-render the Debian 12 captures in the output formats of other tools /
versions, following their printing code line by line (see README.md for the
exact source files and lines). Input: the root captures of one capture.sh run
(proc/debian12-root-net-*.out, ss/debian12-root-tuanpe.out, ss/debian12-root-xap.out),
so every reproduced fixture describes the same sockets as the real ones.

  python3 reproduce.py        (run after capture.sh; rewrites the *-repro-* files)
"""
import ipaddress
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# argv[0] basenames (netstat-style tools read /proc/PID/cmdline, ss/lsof read comm)
ARGV0 = {"fp-listen": "fp-listen", "fp-user-long-na": "fp-user-long-name-daemon",
         'my "web" (x': 'my "web" (x),y', "fp-shared": "fp-shared", "fp-client": "fp-client"}
# /proc/PID/comm (ss 6.1 cuts the name at the first ')' -- the real comm is longer)
COMM = dict(ARGV0)
COMM["fp-user-long-na"] = "fp-user-long-na"
COMM["fp-user-long-name-daemon"] = "fp-user-long-na"


def rd(p):
    return open(os.path.join(HERE, p)).read()


def c0(c):
    return c.split(")")[0]


def queues_by_inode():
    q = {}
    for line in rd("ss/debian12-root-tuanpe.out").splitlines()[1:]:
        ino = re.search(r" ino:(\d+)", line)
        if ino:
            f = line.split()
            q[int(ino.group(1))] = (int(f[2]), int(f[3]))
    return q


def users_by_inode():
    """inode -> [(comm, pid, fd)] from ss -e output (ino:) and ss -xap (unix)"""
    m = {}
    for line in rd("ss/debian12-root-tuanpe.out").splitlines()[1:]:
        ino = re.search(r" ino:(\d+)", line)
        if not ino:
            continue
        us = re.findall(r'\("(.*?)",pid=(\d+),fd=(\d+)\)', line)
        m[int(ino.group(1))] = [(COMM[n], int(p), int(f)) for n, p, f in us]
    for line in rd("ss/debian12-root-xap.out").splitlines()[1:]:
        f = line.split()
        us = re.findall(r'\("(.*?)",pid=(\d+),fd=(\d+)\)', line)
        ino = int(re.search(r" (\d+) +\* ", line).group(1))
        m[ino] = [(COMM[n], int(p), int(fd)) for n, p, fd in us]
    return m


def proc_rows(name):
    rows = []
    for line in rd("proc/debian12-root-net-%s.out" % name).splitlines()[1:]:
        f = line.split()
        la, lp = f[1].split(":")
        ra, rp = f[2].split(":")
        tx, rx = f[4].split(":")
        rows.append(dict(laddr=hexaddr(la), lport=int(lp, 16), raddr=hexaddr(ra),
                         rport=int(rp, 16), state=int(f[3], 16), txq=int(tx, 16),
                         rxq=int(rx, 16), uid=int(f[7]), inode=int(f[9])))
    return rows


def ntop(ip):
    """inet_ntop(3) text (python 3.11 would print ::ffff:7f00:1)"""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return "::ffff:" + str(ip.ipv4_mapped)
    return str(ip)


def hexaddr(h):
    # /proc prints each 32-bit word in host (little-endian) order
    b = b"".join(struct.pack("<I", int(h[i:i + 8], 16)) for i in range(0, len(h), 8))
    return ipaddress.ip_address(b)


def first_pid_name(users):
    """busybox / toybox keep the first process found in /proc (lowest pid)"""
    if not users:
        return "-"
    c, p, fd = sorted(users, key=lambda u: u[1])[0]
    return "%d/%s" % (p, os.path.basename(ARGV0.get(c, c)))


# ---------------------------------------------------------------- toybox
def toybox_addr(ip, port, n=23):
    # toys/net/netstat.c addr2str() with -n
    buf = ntop(ip)
    if buf == "::":
        buf = "[::]"
    count = len(":%u" % port) if port else 2
    pos = len(buf)
    if n - pos < count:
        pos = n - count
    return buf[:pos] + (":%u" % port if port else ":*")


TB_STATES = ["", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
             "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "UNKNOWN"]


def toybox_inet(flags):
    wpad = 51 if "W" in flags else 23
    typ = "servers and established" if "a" in flags else ("only servers" if "l" in flags else "w/o servers")
    out = "Active Internet connections (%s)\n" % typ
    out += "Proto Recv-Q Send-Q %-*s %-*s State      " % (wpad, "Local Address", wpad, "Foreign Address")
    if "e" in flags:
        out += " User       Inode      "
    if "p" in flags:
        out += " PID/Program Name"
    out += "\n"
    files = []
    if "t" in flags:
        files += ["tcp", "tcp6"]
    if "u" in flags:
        files += ["udp", "udp6"]
    for label in files:
        for r in proc_rows(label):
            l_ok = "l" in flags and (not r["rport"] and (r["state"] & 0xA))
            if not l_ok and "a" not in flags and not (r["rport"] & 0x70):
                continue
            st = r["state"]
            if label.startswith("tcp"):
                if not st or st >= len(TB_STATES):
                    st = len(TB_STATES) - 1
                ss_state = TB_STATES[st]
            else:
                ss_state = "UNKNOWN"
                if st == 1:
                    ss_state = TB_STATES[1]
                elif st == 7:
                    ss_state = ""
            lip = toybox_addr(r["laddr"], r["lport"], wpad)
            rip = toybox_addr(r["raddr"], r["rport"], wpad)
            out += "%-6s%6d%7d %-*.*s %-*.*s %-11s" % (label, r["rxq"], r["txq"], wpad, wpad, lip,
                                                      wpad, wpad, rip, ss_state)
            if "e" in flags:
                out += " %-10s %-11d" % (r["uid"], r["inode"])
            if "p" in flags:
                out += " %s" % first_pid_name(USERS.get(r["inode"]))
            out += "\n"
    return out


def unix_rows():
    rows = []
    for line in rd("proc/debian12-root-net-unix.out").splitlines()[1:]:
        f = line.split(None, 7)
        rows.append(dict(refcnt=int(f[1], 16), flags=int(f[3], 16), type=int(f[4], 16),
                         state=int(f[5], 16), inode=int(f[6]),
                         path=(" " + f[7]) if len(f) > 7 else None))
    return rows


def toybox_unix(flags):
    typ = "servers and established" if "a" in flags else ("only servers" if "l" in flags else "w/o servers")
    types = ["", "STREAM", "DGRAM", "RAW", "RDM", "SEQPACKET", "DCCP", "PACKET"]
    states = ["", "LISTENING", "CONNECTING", "CONNECTED", "DISCONNECTING"]
    out = "Active UNIX domain sockets (%s)\n" % typ
    out += "Proto RefCnt Flags       Type       State         I-Node%sPath\n" % (
        "   PID/Program Name     " if "p" in flags else "   ")
    for r in unix_rows():
        fl = r["flags"] & (1 << 16)
        st, ty = r["state"], r["type"]
        if st == 1 and fl and not ("a" in flags or "l" in flags):
            continue
        if ty == 10:
            ty = 7
        if ty >= len(types):
            ty = 0
        if st >= len(states) or (st == 1 and not fl):
            st = 0
        if st != 1 and "l" in flags:
            continue
        out += "unix  %-6d %-11s %-10s %-13s %-8d " % (r["refcnt"], "[ %s]" % ("ACC " if fl else ""),
                                                      types[ty], states[st], r["inode"])
        if "p" in flags:
            out += "%-19.19s " % first_pid_name(USERS.get(r["inode"]))
        # fscanf "%lu%m[^\n]" keeps the blank before the path; printed from +1 with -p, +0 without
        out += (r["path"][(1 if "p" in flags else 0):] if r["path"] else "") + "\n"
    return out


# ---------------------------------------------------------------- busybox
def busybox_inet(flags):
    typ = ("(servers and established)" if "a" in flags else
           ("(only servers)" if "l" in flags else "(w/o servers)"))
    out = "Active Internet connections " + typ
    out += "\nProto Recv-Q Send-Q %-23s %-23s State       %s\n" % (
        "Local Address", "Foreign Address", "PID/Program name    " if "p" in flags else "")
    names = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2",
             6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}
    for label in (["tcp", "tcp6"] if "t" in flags else []) + (["udp", "udp6"] if "u" in flags else []):
        for r in proc_rows(label):
            proto = label[:3]   # busybox prints "tcp"/"udp" for the v6 files too
            if label.startswith("tcp"):
                state = names.get(r["state"], "UNKNOWN")
                connected = r["state"] != 10
            else:
                state = {1: "ESTABLISHED", 7: ""}.get(r["state"], "UNKNOWN")
                # busybox udp_do_one: is_connected = remote address not any
                connected = not (r["raddr"].is_unspecified)
            if connected and not ("a" in flags or "l" not in flags):
                continue
            if not connected and not ("l" in flags or "a" in flags):
                continue
            l = "%s:%s" % (bb_host(r["laddr"]), r["lport"] or "*")
            rr = "%s:%s" % (bb_host(r["raddr"]), r["rport"] or "*")
            out += "%s   %6d %6d %-23s %-23s %-12s" % (proto, r["rxq"], r["txq"], l, rr, state)
            if "p" in flags:
                out += "%.20s" % first_pid_name(USERS.get(r["inode"]))
            out += "\n"
    return out


def bb_host(ip):
    # xmalloc_sockaddr2dotted_noport(): inet_ntop-style text
    # (verified: the real Debian busybox 1.35 capture prints "::ffff:127.0.0.1")
    return ntop(ip)


# ---------------------------------------------------------------- ss 3.10
def ss310(flags, screen_width=80):
    """misc/ss.c of iproute2 v3.10.0 (tag v3.10.0), non-tty -> 80 columns"""
    dbs = (["tcp"] if "t" in flags else []) + (["udp"] if "u" in flags else [])
    netid_width = 5 if len(dbs) > 1 else 0
    if "l" in flags:
        states = 2                    # (1<<SS_LISTEN)|(1<<SS_CLOSE)
    elif "a" in flags:
        states = 11
    else:
        states = 10                   # default: all but LISTEN/CLOSE/TIME_WAIT/SYN_RECV (several)
    state_width = 10 if states > 1 else 0
    addrp = screen_width - (netid_width + 1) - (state_width + 1) - 14
    if addrp & 1:
        if netid_width:
            netid_width += 1
        elif state_width:
            state_width += 1
    addrp //= 2
    addrp -= 1
    serv_width = 5                    # -n
    if addrp < 15 + serv_width + 1:
        addrp = 15 + serv_width + 1
    addr_width = addrp - serv_width - 1
    out = ""
    if netid_width:
        out += "%-*s " % (netid_width, "Netid")
    if state_width:
        out += "%-*s " % (state_width, "State")
    out += "%-6s %-6s " % ("Recv-Q", "Send-Q")
    out += "%*s:%-*s %*s:%-*s\n" % (addr_width, "Local Address", serv_width, "Port",
                                    addr_width, "Peer Address", serv_width, "Port")
    names = {1: "ESTAB", 2: "SYN-SENT", 3: "SYN-RECV", 4: "FIN-WAIT-1", 5: "FIN-WAIT-2",
             6: "TIME-WAIT", 7: "UNCONN", 8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING"}

    def fp(ip, port):
        if ip.version == 4:
            ap = "*" if int(ip) == 0 else str(ip)   # a->data[0] (the whole u32) == 0 -> "*"
            est = addr_width
        else:
            ap = ntop(ip)
            est = len(ap)
            est = addr_width if est <= addr_width else addr_width + ((est - addr_width + 3) // 4) * 4
        return "%*s:%-*s " % (est, ap, serv_width, str(port) if port else "*")

    for db in dbs:
        for fam in (db, db + "6"):
            for r in proc_rows(fam):
                st = r["state"]
                if "l" in flags and st not in (7, 10):
                    continue
                if "l" not in flags and "a" not in flags and st in (7, 10, 6, 3):
                    continue
                line = ""
                if netid_width:
                    line += "%-*s " % (netid_width, db)
                if state_width:
                    line += "%-*s " % (state_width, names[st])
                # tcp comes from netlink (inet_show_netlink): LISTEN rows carry the accept
                # queue / backlog like in ss 6.1, so take Recv-Q/Send-Q from the real ss capture
                rq, wq = QUEUES.get(r["inode"], (r["rxq"], r["txq"])) if db == "tcp" else (r["rxq"], r["txq"])
                line += "%-6d %-6d " % (rq, wq)
                line += fp(r["laddr"], r["lport"]) + fp(r["raddr"], r["rport"])
                if "p" in flags:
                    us = USERS.get(r["inode"]) or []
                    if us:
                        # find_users(): ("%s",%d,%d), list in hash-chain order (newest first)
                        # name: fscanf(stat, "%*d (%[^)])") -> cut at the first ')' like ss 6.1
                        line += " users:(%s)" % ",".join('("%s",%d,%d)' % (c0(c), p, f)
                                                         for c, p, f in sorted(us, key=lambda u: -u[1]))
                out += line + "\n"
    return out


USERS = users_by_inode()
QUEUES = queues_by_inode()

if __name__ == "__main__":
    W = {}
    W["netstat/toybox-repro-tuanp.out"] = toybox_inet("tuanp")
    W["netstat/toybox-repro-tulnp.out"] = toybox_inet("tulnp")
    W["netstat/toybox-repro-tulnpe.out"] = toybox_inet("tulnpe")
    W["netstat/toybox-repro-xap.out"] = toybox_unix("xap")
    W["netstat/toybox-repro-xl.out"] = toybox_unix("xl")
    W["netstat/alpine-busybox-repro-tulnp.out"] = busybox_inet("tulnp")
    W["netstat/alpine-busybox-repro-tuanp.out"] = busybox_inet("tuanp")
    W["ss/centos7-iproute2-3.10.0-repro-tlnp.out"] = ss310("tlnp")
    W["ss/centos7-iproute2-3.10.0-repro-tuanp.out"] = ss310("tuanp")
    W["ss/centos7-iproute2-3.10.0-repro-tn.out"] = ss310("tn")
    for k, v in W.items():
        with open(os.path.join(HERE, k), "w") as f:
            f.write(v)
        print(k)
