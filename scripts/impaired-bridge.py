#!/usr/bin/env python3
"""An impaired path between two veths: forwards Ethernet frames both ways through AF_PACKET
sockets and, by rules, drops, duplicates, delays or reorders TCP segments (IPv4 or IPv6). The
kernel here has no netem qdisc; record-impaired.sh runs this in the middle network namespace.

usage: impaired-bridge.py IF_CLIENT IF_SERVER RULES_JSON

RULES_JSON is a list of rules, or {"seed": 1, "delay_ms": {"c2s": 2, "s2c": 2},
"jitter_ms": {"s2c": 4}, "rules": [..]}: every frame of a direction then waits delay_ms plus a
random share of jitter_ms (frames overtake one another within the jitter). Each rule picks
segments by direction ("c2s", "s2c" or "any"; "c2s" when not given), kind and, optionally, a
port of either end ("port"), and fires on the 1-based counts among the segments of that
direction and kind it lists ("nth": [..]) or with a probability ("p": 0.1, drawn from a
random generator seeded with "seed", 1 when not given). The kinds: "data" (payload > 0, the
default), "ack" (no payload, SYNs and FINs included), "syn", "synack", "fin", "rst", "any".
The first rule that fires acts:
  {"action": "drop"}                      lost on the wire
  {"action": "dup", "ms": 30}             delivered, and again `ms` later
  {"action": "delay", "ms": 300}          delivered `ms` late (later ones overtake it)
  {"action": "reorder"}                   held until the next frame of its direction passed
Every other frame (ARP, neighbour discovery, other protocols) passes at once. The counts and
the random draws follow the order frames arrive in, so a run with the same traffic impairs
the same segments.
"""
import heapq
import json
import random
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


def tcp_segment(frame):
    """(kinds, ports) of an Ethernet/IPv4 or IPv6/TCP frame, or None for anything else."""
    ethertype = frame[12:14]
    if ethertype == b"\x08\x00" and len(frame) >= 34 and frame[23] == 6:
        ihl = (frame[14] & 0x0F) * 4
        t, end = 14 + ihl, 14 + struct.unpack("!H", frame[16:18])[0]
    elif ethertype == b"\x86\xdd" and len(frame) >= 54 and frame[20] == 6:
        t, end = 54, 54 + struct.unpack("!H", frame[18:20])[0]
    else:
        return None
    if len(frame) < t + 14:
        return None
    ports = struct.unpack("!HH", frame[t:t + 4])
    flags = frame[t + 13]
    payload = end - t - (frame[t + 12] >> 4) * 4
    kinds = ["any", "data" if payload > 0 else "ack"]
    if flags & 0x02:
        kinds.append("synack" if flags & 0x10 else "syn")
    if flags & 0x01:
        kinds.append("fin")
    if flags & 0x04:
        kinds.append("rst")
    return kinds, ports


def main():
    if_c, if_s, rules_path = sys.argv[1:4]
    with open(rules_path) as f:
        config = json.load(f)
    if isinstance(config, list):
        config = {"rules": config}
    rules = config["rules"]
    rng = random.Random(config.get("seed", 1))
    delay, jitter = config.get("delay_ms", {}), config.get("jitter_ms", {})
    socks = {"c": open_socket(if_c), "s": open_socket(if_s)}
    out = {"c2s": socks["s"], "s2c": socks["c"]}
    counts = {}
    timers = []  # (due, serial, direction, frame)
    held = {"c2s": None, "s2c": None}
    serial = 0

    def send(direction, frame):
        try:
            out[direction].send(frame)
        except OSError:
            pass

    def later(due, direction, frame):
        nonlocal serial
        serial += 1
        heapq.heappush(timers, (due, serial, direction, frame))

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
                segment = tcp_segment(frame)
                if segment is not None:
                    kinds, ports = segment
                    for kind in kinds:
                        counts[(direction, kind)] = counts.get((direction, kind), 0) + 1
                    for r in rules:
                        kind = r.get("kind", "data")
                        if r.get("dir", "c2s") not in (direction, "any") or kind not in kinds or r.get("port", ports[0]) not in ports:
                            continue
                        if counts[(direction, kind)] in r.get("nth", ()) or ("p" in r and rng.random() < r["p"]):
                            action = r
                            break
                wait = delay.get(direction, 0) + (rng.uniform(0, jitter[direction]) if jitter.get(direction) else 0)
                now = time.monotonic()
                due = now + wait / 1000
                if action is None:
                    send(direction, frame) if wait == 0 else later(due, direction, frame)
                elif action["action"] == "dup":
                    send(direction, frame) if wait == 0 else later(due, direction, frame)
                    later(due + action.get("ms", 0) / 1000, direction, frame)
                elif action["action"] == "delay":
                    later(due + action["ms"] / 1000, direction, frame)
                elif action["action"] == "reorder":
                    held[direction] = frame
                # "drop": nothing
                if release is not None:
                    send(direction, release) if wait == 0 else later(due + 0.0001, direction, release)
        now = time.monotonic()
        while timers and timers[0][0] <= now:
            _, _, direction, frame = heapq.heappop(timers)
            send(direction, frame)


if __name__ == "__main__":
    main()
