#!/usr/bin/python3
"""A WAN in front of every lab host: a TCP relay that adds a fixed one-way delay and counts
SSH round trips. Used by lab/bench-peers.py; stdlib only.

  delay-proxy.py N PORT DELAY_MS STATS_FILE

For lab hosts 1..N it listens on the host's lab IPv4 address, port PORT, inside the host's own
network namespace, and relays every connection to the host's sshd (127.0.0.1:22, same
namespace), holding each chunk DELAY_MS milliseconds in each direction (order kept).

Why not netem: this kernel is built without sch_netem (and without fq, so no EDT pacing
either), and the lab must not depend on a qdisc. The relay delays data, not the TCP
handshake: a real link adds one more round trip per connection, which the stats report
(`connections`) so it can be added back.

Round trips are counted where the server is: one round trip is the server answering after the
client's data reached it (the server's first flight after a client flight). A client flight
nobody answers (the closing CHANNEL_CLOSE and DISCONNECT) costs no waiting and is not counted;
unsolicited server messages sent along with an answer are part of that answer's flight. A
client message sent while the server streams (a window adjust) would make the server's next
chunk count too; outputs here are far below the 2 MB windows every client opens with.
One JSON line per finished connection goes to STATS_FILE:
  {"host": "10.200.0.11", "round_trips": 8, "up": 2311, "down": 5120, "seconds": 1.02}

With DELAY_PROXY_TRACE=1 each record also has "trace": the flights in order, ">N" client to
server and "<N" server to client, N bytes (as the proxy received them).

Prints "ready" on stdout once every listener is bound; stops on SIGTERM/SIGINT.
"""
import asyncio
import collections
import ctypes
import json
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fleetlab import ipv4_of, ns_of  # noqa: E402  (the lab's one definition of a host's address and namespace)

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)


def in_netns(ns_fd, own_fd, make):
    """Creates a socket inside another network namespace; the socket stays there for life."""
    if libc.setns(ns_fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns failed")
    try:
        return make()
    finally:
        if libc.setns(own_fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back failed")


class DelayedWriter:
    """Delivers chunks to a transport DELAY seconds after they arrived, in arrival order.
    A heap of timers is not stable for equal deadlines, so one queue and one timer per direction."""

    def __init__(self, loop, delay, on_deliver):
        self.loop, self.delay, self.on_deliver = loop, delay, on_deliver
        self.queue = collections.deque()
        self.timer = None
        self.transport = None

    def push(self, item):
        self.queue.append((self.loop.time() + self.delay, item))
        if self.timer is None and self.transport is not None:
            self.timer = self.loop.call_at(self.queue[0][0], self.flush)

    def attach(self, transport):
        self.transport = transport
        if self.queue and self.timer is None:
            self.timer = self.loop.call_at(self.queue[0][0], self.flush)

    def flush(self):
        self.timer = None
        now = self.loop.time()
        while self.queue and self.queue[0][0] <= now + 0.0005:
            _, item = self.queue.popleft()
            self.on_deliver(item)
            if item is None:  # end of stream
                self.queue.clear()
                if self.transport.can_write_eof():
                    self.transport.write_eof()
                else:
                    self.transport.close()
                return
            self.transport.write(item)
        if self.queue:
            self.timer = self.loop.call_at(self.queue[0][0], self.flush)


class Side(asyncio.Protocol):
    def __init__(self, relay, is_client):
        self.relay, self.is_client = relay, is_client

    def data_received(self, data):
        self.relay.received(self.is_client, data)

    def eof_received(self):
        self.relay.received(self.is_client, None)
        return True  # keep the other half open until the delayed EOF went through

    def connection_lost(self, exc):
        self.relay.lost(self.is_client)


class Relay:
    def __init__(self, proxy, host, ns_fd):
        self.proxy, self.host, self.ns_fd = proxy, host, ns_fd
        loop = proxy.loop
        self.to_server = DelayedWriter(loop, proxy.delay, self.delivered_to_server)
        self.to_client = DelayedWriter(loop, proxy.delay, self.delivered_to_client)
        self.eofs = 0
        self.client = self.server = None
        self.round_trips, self.up, self.down = 0, 0, 0
        self.client_spoke = False  # client data delivered to the server since its last flight
        self.started = time.monotonic()
        self.closed = set()
        self.trace = [] if proxy.trace else None

    def delivered_to_server(self, item):
        if item is None:
            self.eof_delivered()
        else:
            self.client_spoke = True

    def delivered_to_client(self, item):
        if item is None:
            self.eof_delivered()

    def eof_delivered(self):
        # Both halves ended: asyncio keeps half-closed transports open, so close them here.
        self.eofs += 1
        if self.eofs == 2:
            for transport in (self.client, self.server):
                if transport is not None:
                    self.proxy.loop.call_soon(transport.close)

    def received(self, from_client, data):
        if self.trace is not None and data is not None:
            # consecutive chunks in one direction are one flight: ">512 <1024 >96"
            mark = ">" if from_client else "<"
            if self.trace and self.trace[-1][0] == mark:
                self.trace[-1] = (mark, self.trace[-1][1] + len(data))
            else:
                self.trace.append((mark, len(data)))
        if from_client:
            if data is not None:
                self.up += len(data)
            self.to_server.push(data)
        else:
            if data is not None:
                self.down += len(data)
                if self.client_spoke:
                    self.round_trips += 1
                    self.client_spoke = False
            self.to_client.push(data)

    async def connect_upstream(self):
        loop = self.proxy.loop
        sock = in_netns(self.ns_fd, self.proxy.own_fd, lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        sock.setblocking(False)
        try:
            await loop.sock_connect(sock, ("127.0.0.1", 22))
            transport, _ = await loop.create_connection(lambda: Side(self, False), sock=sock)
        except OSError:
            sock.close()
            if self.client:
                self.client.close()
            return
        self.server = transport
        if True in self.closed:
            # The client went away while sshd was being reached: do not leave sshd waiting
            # out its LoginGraceTime (and its CPU landing in another tool's measurement).
            transport.close()
            return
        self.to_server.attach(transport)

    def lost(self, from_client):
        self.closed.add(from_client)
        other = self.server if from_client else self.client
        writer = self.to_server if from_client else self.to_client
        if other is not None and not other.is_closing():
            # Close the other side once what is still in flight has been delivered.
            due = writer.queue[-1][0] if writer.queue else self.proxy.loop.time()
            self.proxy.loop.call_at(due + 0.001, other.close)
        if len(self.closed) == 2 or (from_client and self.server is None):
            self.proxy.record(self)


class Proxy:
    def __init__(self, n, port, delay_ms, stats_path):
        self.n, self.port, self.delay = n, port, delay_ms / 1000.0
        self.stats = open(stats_path, "a", buffering=1)
        self.own_fd = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        self.loop = None
        self.recorded = set()
        self.trace = os.environ.get("DELAY_PROXY_TRACE") == "1"

    def record(self, relay):
        if id(relay) in self.recorded:
            return
        self.recorded.add(id(relay))
        record = {"host": relay.host, "round_trips": relay.round_trips, "up": relay.up, "down": relay.down,
                  "seconds": round(time.monotonic() - relay.started, 4)}
        if relay.trace is not None:
            record["trace"] = " ".join("%s%d" % flight for flight in relay.trace)
        self.stats.write(json.dumps(record) + "\n")

    async def run(self):
        self.loop = asyncio.get_running_loop()
        servers = []
        for i in range(1, self.n + 1):
            host = ipv4_of(i)
            ns_fd = os.open("/var/run/netns/" + ns_of(i), os.O_RDONLY)

            def listener():
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((host, self.port))
                s.listen(1024)
                s.setblocking(False)
                return s

            sock = in_netns(ns_fd, self.own_fd, listener)

            def factory(host=host, ns_fd=ns_fd):
                relay = Relay(self, host, ns_fd)
                self.loop.create_task(relay.connect_upstream())
                return ClientSide(relay)

            servers.append(await self.loop.create_server(factory, sock=sock))
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            self.loop.add_signal_handler(sig, stop.set)
        print("ready", flush=True)
        await stop.wait()
        for s in servers:
            s.close()


class ClientSide(Side):
    """The accepted side: its transport is where delayed server data goes."""

    def __init__(self, relay):
        super().__init__(relay, True)

    def connection_made(self, transport):
        self.relay.client = transport
        self.relay.to_client.attach(transport)


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: delay-proxy.py N PORT DELAY_MS STATS_FILE")
    n, port, delay_ms, stats = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    asyncio.run(Proxy(n, port, delay_ms, stats).run())


if __name__ == "__main__":
    main()
