#!/usr/bin/env python3
"""Removes packets from a clean pcap (little-endian, Ethernet, as dumpcap -P writes it): loss in
the capture rather than on the wire, for record-impaired.sh.

usage: impaired-cut.py IN OUT RULE...
  data:PORT:N     every Nth TCP segment with payload sent from PORT
  ack:PORT:K,M    the Kth, Mth... TCP segments without payload sent to PORT
"""
import struct
import sys


def tcp(frame):
    if len(frame) < 34 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    ihl = (frame[14] & 0x0F) * 4
    total = struct.unpack("!H", frame[16:18])[0]
    t = 14 + ihl
    sport, dport = struct.unpack("!HH", frame[t:t + 4])
    return sport, dport, total - ihl - (frame[t + 12] >> 4) * 4


def main():
    src, dst, *rules = sys.argv[1:]
    data = open(src, "rb").read()
    out = [data[:24]]
    counts = {}
    pos = 24
    removed = 0
    while pos + 16 <= len(data):
        incl = struct.unpack("<I", data[pos + 8:pos + 12])[0]
        record = data[pos:pos + 16 + incl]
        frame = record[16:]
        pos += 16 + incl
        seg = tcp(frame)
        drop = False
        if seg:
            sport, dport, n = seg
            for rule in rules:
                kind, port, arg = rule.split(":")
                port = int(port)
                if kind == "data" and n > 0 and sport == port:
                    counts[rule] = counts.get(rule, 0) + 1
                    drop = drop or counts[rule] % int(arg) == 0
                elif kind == "ack" and n == 0 and dport == port:
                    counts[rule] = counts.get(rule, 0) + 1
                    drop = drop or counts[rule] in {int(x) for x in arg.split(",")}
        if drop:
            removed += 1
        else:
            out.append(record)
    open(dst, "wb").write(b"".join(out))
    print(f"{dst}: {removed} packets removed")


if __name__ == "__main__":
    main()
