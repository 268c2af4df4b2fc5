// Packet numbers are Wireshark's frame numbers (1-based) everywhere: a record's firstPacket,
// lastPacket and handshake packets name frames that tshark shows with the same flags, so that
// `frame.number == N` in Wireshark finds them.

import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { scan } from "../../../sdk/index.js";

const SAMPLE = fileURLToPath(new URL("../../../examples/sample.pcap", import.meta.url));
const tshark = spawnSync("tshark", ["-v"]).status === 0;
if (!tshark) console.log("frame-numbers: tshark is not installed; its cross-check is skipped");

describe.skipIf(!tshark)("frame numbers, against tshark", () => {
  it("firstPacket, lastPacket, synPacket, synAckPacket and the third packet are tshark's frame numbers", async () => {
    const out = spawnSync("tshark", ["-r", SAMPLE, "-T", "fields", "-e", "frame.number", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags"], { encoding: "utf8" }).stdout;
    const frames = new Map(out.trim().split("\n").map((l) => {
      const [n, sport, dport, flags] = l.split("\t");
      return [Number(n), { ports: [Number(sport), Number(dport)], flags: parseInt(flags!, 16) }];
    }));
    const { connections } = await scan(SAMPLE);
    expect(connections).toHaveLength(9);
    for (const c of connections) {
      const ports = (n: number) => [...frames.get(n)!.ports].sort((a, b) => a - b);
      const mine = [c.orig.port, c.resp.port].sort((a, b) => a - b);
      expect(c.firstPacket).toBe(c.id);
      expect(ports(c.firstPacket)).toEqual(mine);
      expect(ports(c.lastPacket)).toEqual(mine);
      expect(frames.get(c.firstPacket)!.flags & 0x12).toBe(0x02); // every sample connection starts with its SYN
      if (c.handshake.synPacket !== null) expect(frames.get(c.handshake.synPacket)!.flags & 0x12).toBe(0x02);
      if (c.handshake.synAckPacket !== null) expect(frames.get(c.handshake.synAckPacket)!.flags & 0x12).toBe(0x12);
      if (c.handshake.ack) expect(ports(c.handshake.ack.packet)).toEqual(mine);
    }
    // The last frame of the capture belongs to the last connection to send.
    expect(Math.max(...connections.map((c) => c.lastPacket))).toBe(frames.size);
  });
});
