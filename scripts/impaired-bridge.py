#!/usr/bin/env python3
"""An impaired path between two veths: forwards Ethernet frames both ways through AF_PACKET
sockets and, by rules, drops, duplicates, delays or reorders TCP segments. The kernel here has
no netem qdisc; record-impaired.sh runs this in the middle network namespace.

usage: impaired-bridge.py IF_CLIENT IF_SERVER RULES_JSON

RULES_JSON is a list of rules; each picks segments by direction ("c2s" or "s2c"), kind
("data": payload > 0, "ack": no payload, "any") and their 1-based count among the segments
of that direction and kind ("nth": [..]), and acts on each:
  {"action": "drop"}                      lost on the wire
  {"action": "dup", "ms": 30}             delivered, and again `ms` later
  {"action": "delay", "ms": 300}          delivered `ms` late (later ones overtake it)
  {"action": "reorder"}                   held until the next frame of its direction passed
Every other frame (ARP, IPv6, other TCP) passes at once. Counting is deterministic, so each
run impairs the same segments.
"""
import heapq
import json
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def open_socket(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    s.setblocking(False)
    return s


def tcp_payload_len(frame):
    """Payload length of an Ethernet/IPv4/TCP frame, or None for anything else."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 0x0F) * 4
    if frame[23] != 6:
        return None
    total = struct.unpack("!H", frame[16:18])[0]
    t = 14 + ihl
    if len(frame) < t + 13:
        return None
    return total - ihl - (frame[t + 12] >> 4) * 4


def main():
    if_c, if_s, rules_path = sys.argv[1:4]
    with open(rules_path) as f:
        rules = json.load(f)
    socks = {"c": open_socket(if_c), "s": open_socket(if_s)}
    out = {"c2s": socks["s"], "s2c": socks["c"]}
    counts = {}
    timers = []  # (due, seq, direction, frame)
    held = {"c2s": None, "s2c": None}
    serial = 0

    def send(direction, frame):
        try:
            out[direction].send(frame)
        except OSError:
            pass

    while True:
        timeout = max(0.0, timers[0][0] - time.monotonic()) if timers else 1.0
        ready, _, _ = select.select(list(socks.values()), [], [], timeout)
        for s in ready:
            direction = "c2s" if s is socks["c"] else "s2c"
            while True:
                try:
                    frame, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                except OSError:
                    return  # the namespace is going away
                if addr[2] == PACKET_OUTGOING:
                    continue  # our own transmissions on this veth
                release = held[direction]
                held[direction] = None
                action = None
                n = tcp_payload_len(frame)
                if n is not None:
                    for kind in ("data" if n > 0 else "ack", "any"):
                        counts[(direction, kind)] = counts.get((direction, kind), 0) + 1
                    for r in rules:
                        kind = r.get("kind", "data")
                        if r["dir"] == direction and counts.get((direction, kind)) in r["nth"] and (kind == "any" or (kind == "data") == (n > 0)):
                            action = r
                            break
                if action is None:
                    send(direction, frame)
                elif action["action"] == "dup":
                    send(direction, frame)
                    serial += 1
                    heapq.heappush(timers, (time.monotonic() + action.get("ms", 0) / 1000, serial, direction, frame))
                elif action["action"] == "delay":
                    serial += 1
                    heapq.heappush(timers, (time.monotonic() + action["ms"] / 1000, serial, direction, frame))
                elif action["action"] == "reorder":
                    held[direction] = frame
                # "drop": nothing
                if release is not None:
                    send(direction, release)
        now = time.monotonic()
        while timers and timers[0][0] <= now:
            _, _, direction, frame = heapq.heappop(timers)
            send(direction, frame)


if __name__ == "__main__":
    main()
