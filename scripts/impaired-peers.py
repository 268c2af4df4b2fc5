#!/usr/bin/env python3
"""The peers of the impaired-path recordings (record-impaired.sh), using the kernel's own TCP.

  impaired-peers.py offloads IFNAME        turn off checksum/segmentation offloads on a veth
  impaired-peers.py server                 listen on 10.98.0.2 and fd98::2, one port per scenario
  impaired-peers.py client SCENARIO [N] [v6]  run one scenario (N times) against the server

Scenarios (port): download (5001, the server sends 40 KB and closes), upload (5004, the
client sends 40 KB), stall (5002, the client reads nothing for 1.5 s with a small receive
buffer: zero window, window full, the sender's probes, then the window update), keepalive
(5003, an idle connection with SO_KEEPALIVE every second), short (N request/response
connections at once on 5005, three exchanges each, the client closes), bulk (a 100 KB
download, then a 60 KB upload), resets (N rounds of: the server aborts with SO_LINGER 0
(5006), closes with data unread (5007), a closed port (5099), the client aborts (5005)),
blackhole (N rounds of a connection to 5008, whose SYNs the rules drop, given 8 s, beside a
short one), reuse (N connections from source port 45000, each ended by the client's RST, so
no TIME_WAIT keeps the port), tfo (N 8 KB downloads asking with TCP Fast Open: the first gets
a cookie, the later ones carry their request on the SYN), mix (N rounds of download, upload,
short, server abort, closed port and client abort at once). v6: over IPv6.
"""
import ctypes
import fcntl
import socket
import struct
import sys
import threading
import time

SERVER = {socket.AF_INET: "10.98.0.2", socket.AF_INET6: "fd98::2"}
CLIENT = {socket.AF_INET: "10.98.0.1", socket.AF_INET6: "fd98::1"}
SIZE = 40 * 1024
PORTS = {"download": 5001, "stall": 5002, "keepalive": 5003, "upload": 5004, "echo": 5005,
         "abort": 5006, "unread": 5007, "blackhole": 5008, "closed": 5099}
LINGER_0 = struct.pack("ii", 1, 0)  # close() sends a RST


def offloads(ifname):
    # Legacy ethtool ioctls (SIOCETHTOOL): tx checksumming, scatter-gather, TSO, GSO and GRO off,
    # so that the bridge forwards finished, MTU-sized frames. No ethtool binary here.
    siocethtool = 0x8946
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for cmd in (0x17, 0x19, 0x1F, 0x24, 0x2C):  # STXCSUM, SSG, STSO, SGSO, SGRO
        value = ctypes.create_string_buffer(struct.pack("II", cmd, 0))  # struct ethtool_value
        ifreq = struct.pack("16sP", ifname.encode(), ctypes.addressof(value))
        try:
            fcntl.ioctl(s.fileno(), siocethtool, ifreq)
        except OSError as e:
            print(f"offloads {ifname}: command {cmd:#x}: {e}", file=sys.stderr)


def serve(port, handler):
    for family, addr in SERVER.items():
        ls = socket.socket(family, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 16)  # used where sysctl tcp_fastopen allows
        ls.bind((addr, port))
        ls.listen(64)

        def loop(ls=ls):
            while True:
                c, _ = ls.accept()
                threading.Thread(target=guarded, args=(handler, c), daemon=True).start()
        threading.Thread(target=loop, daemon=True).start()


def guarded(handler, c):
    try:
        handler(c)
    except OSError as e:  # a reset from the client, or one the rules made
        print(f"server {handler.__name__}: {e}", file=sys.stderr)
    c.close()


def read_all(c):
    while c.recv(65536):
        pass


def server():
    def download(c):  # "GET /download": 40 KB; "GET 102400": that many bytes
        words = c.recv(100).split()
        c.sendall(bytes(int(words[1]) if len(words) > 1 and words[1].isdigit() else SIZE))

    def stall(c):
        c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 256 * 1024)
        c.recv(100)
        c.sendall(bytes(SIZE))

    def keepalive(c):
        c.recv(100)
        c.sendall(b"ok\n")
        read_all(c)

    def upload(c):
        read_all(c)
        c.sendall(b"done\n")

    def echo(c):  # each request answered ten times over, until the client closes
        while line := c.recv(100):
            c.sendall(line * 10)

    def abort(c):
        c.recv(100)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_0)

    def unread(c):
        c.recv(10)
        time.sleep(0.1)

    for name, handler in (("download", download), ("stall", stall), ("keepalive", keepalive), ("upload", upload),
                          ("echo", echo), ("abort", abort), ("unread", unread), ("blackhole", echo)):
        serve(PORTS[name], handler)
    time.sleep(120)


def connect(family, port, source_port=0, timeout=None):
    c = socket.socket(family, socket.SOCK_STREAM)
    if source_port:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind((CLIENT[family], source_port))
    c.settimeout(timeout)
    c.connect((SERVER[family], port))
    return c


def exchanges(c, k):
    for i in range(k):
        request = b"ping %d\n" % i
        c.sendall(request)
        got = 0
        while got < 10 * len(request):
            got += len(c.recv(4096))


def at_once(jobs, gap=0.02):
    """Runs each (function, args) in its own thread, started `gap` seconds apart; a socket error
    (a connection the rules starved) is reported and ends only that job."""
    def guard(f, args):
        try:
            f(*args)
        except OSError as e:
            print(f"client {f.__name__}: {e}", file=sys.stderr)
    threads = [threading.Thread(target=guard, args=job) for job in jobs]
    for t in threads:
        t.start()
        time.sleep(gap)
    for t in threads:
        t.join()


def client(scenario, n=1, family=socket.AF_INET):
    def short():
        c = connect(family, PORTS["echo"], timeout=20)
        exchanges(c, 3)
        c.close()

    def download(size=SIZE):
        c = connect(family, PORTS["download"], timeout=20)
        c.sendall(b"GET %d\n" % size)
        read_all(c)
        c.close()

    def upload(size=SIZE):
        c = connect(family, PORTS["upload"], timeout=20)
        c.sendall(bytes(size))
        c.shutdown(socket.SHUT_WR)
        read_all(c)
        c.close()

    def server_abort():
        c = connect(family, PORTS["abort"], timeout=20)
        c.sendall(b"hello\n")
        read_all(c)

    def unread():
        c = connect(family, PORTS["unread"], timeout=20)
        c.sendall(bytes(5000))
        read_all(c)

    def closed_port():
        connect(family, PORTS["closed"], timeout=3)

    def client_abort(source_port=0):
        c = connect(family, PORTS["echo"], source_port, timeout=10)
        exchanges(c, 1)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_0)
        c.close()

    def blackhole():
        connect(family, PORTS["blackhole"], timeout=8)  # SYNs at 0, 1, 3 and 7 s

    def tfo():
        c = socket.socket(family, socket.SOCK_STREAM)  # blocking: sendto waits for the handshake
        c.sendto(b"GET 8000\n", socket.MSG_FASTOPEN, (SERVER[family], PORTS["download"]))
        read_all(c)
        c.close()

    if scenario == "short":
        at_once([(short, ())] * n)
    elif scenario == "bulk":
        at_once([(download, (100 * 1024,))])
        at_once([(upload, (60 * 1024,))])
    elif scenario == "resets":
        at_once([(server_abort, ()), (unread, ()), (closed_port, ()), (client_abort, ())] * n, gap=0.05)
    elif scenario == "blackhole":
        at_once([(blackhole, ()), (short, ())] * n, gap=0.05)
    elif scenario == "reuse":
        for _ in range(n):
            at_once([(client_abort, (45000,))], gap=0.05)
    elif scenario == "tfo":
        for _ in range(n):
            at_once([(tfo, ())], gap=0.05)
    elif scenario == "mix":
        at_once([(download, ()), (upload, ()), (short, ()), (server_abort, ()), (closed_port, ()), (client_abort, ())] * n, gap=0.01)
    else:
        legacy(scenario)


def legacy(scenario):
    """The first scenarios: one IPv4 connection each."""
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if scenario == "stall":
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    if scenario == "keepalive":
        c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 5)
    c.connect((SERVER[socket.AF_INET], PORTS[scenario]))
    if scenario == "upload":
        c.sendall(bytes(SIZE))
        c.shutdown(socket.SHUT_WR)
        read_all(c)
    else:
        c.sendall(b"GET /" + scenario.encode() + b"\n")
        if scenario == "stall":
            time.sleep(1.5)
        if scenario == "keepalive":
            c.recv(100)
            time.sleep(3.5)
            c.shutdown(socket.SHUT_WR)
        read_all(c)
    c.close()


if __name__ == "__main__":
    if sys.argv[1] == "offloads":
        offloads(sys.argv[2])
    elif sys.argv[1] == "server":
        server()
    else:
        args = sys.argv[3:]
        client(sys.argv[2], int(args[0]) if args and args[0].isdigit() else 1,
               socket.AF_INET6 if "v6" in args else socket.AF_INET)
