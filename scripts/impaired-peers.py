#!/usr/bin/env python3
"""The peers of the impaired-path recordings (record-impaired.sh), using the kernel's own TCP.

  impaired-peers.py offloads IFNAME        turn off checksum/segmentation offloads on a veth
  impaired-peers.py server                 listen on 10.98.0.2, one port per scenario
  impaired-peers.py client SCENARIO        run one scenario against the server

Scenarios (port): download (5001, the server sends 40 KB and closes), upload (5004, the
client sends 40 KB), stall (5002, the client reads nothing for 1.5 s with a small receive
buffer: zero window, window full, the sender's probes, then the window update), keepalive
(5003, an idle connection with SO_KEEPALIVE every second).
"""
import ctypes
import fcntl
import socket
import struct
import sys
import threading
import time

SERVER = "10.98.0.2"
SIZE = 40 * 1024
PORTS = {"download": 5001, "stall": 5002, "keepalive": 5003, "upload": 5004}


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
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((SERVER, port))
    ls.listen(8)

    def loop():
        while True:
            c, _ = ls.accept()
            threading.Thread(target=handler, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()


def read_all(c):
    while c.recv(65536):
        pass


def server():
    def download(c):
        c.recv(100)
        c.sendall(bytes(SIZE))
        c.close()

    def stall(c):
        c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 256 * 1024)
        c.recv(100)
        c.sendall(bytes(SIZE))
        c.close()

    def keepalive(c):
        c.recv(100)
        c.sendall(b"ok\n")
        read_all(c)
        c.close()

    def upload(c):
        read_all(c)
        c.sendall(b"done\n")
        c.close()

    serve(PORTS["download"], download)
    serve(PORTS["stall"], stall)
    serve(PORTS["keepalive"], keepalive)
    serve(PORTS["upload"], upload)
    time.sleep(60)


def client(scenario):
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if scenario == "stall":
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    if scenario == "keepalive":
        c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 5)
    c.connect((SERVER, PORTS[scenario]))
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
    {"offloads": lambda: offloads(sys.argv[2]), "server": server, "client": lambda: client(sys.argv[2])}[sys.argv[1]]()
