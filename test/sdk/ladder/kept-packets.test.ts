// What the ladder keeps of each connection it may draw: a one-packet connection (a flood's)
// costs no object, only a row of typed columns; a long one keeps its first 400 and last 100
// packets and counts the middle.

import { describe, it, expect } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { captureLadders, compileFilter, decodeCapture } from "../../../sdk/index.js";
import { KeptPackets, KEEPING, COUNT_ONLY, NOT_WATCHED } from "../../../sdk/ladder/kept-packets.js";
import { writeFlood } from "../../../bench/flood.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

const { SYN, ACK, PSH } = F;

describe("KeptPackets", () => {
  it("keeps one-packet connections in its columns, without an object each", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-kept-"));
    try {
      const path = join(dir, "flood.pcap");
      writeFlood(path, 20_000, 1_000_000, [0x02, 0x04]);
      const kept = new KeptPackets();
      let slot = 0;
      for await (const b of decodeCapture(path)) {
        for (let i = 0; i < b.count; i++, slot++) {
          kept.watch(slot, slot % 2 === 0);
          if (kept.stateOf(slot) === KEEPING) kept.add(slot, true, b, i, 0.5, b.packetIndex(i) + 1, 0);
        }
      }
      expect(slot).toBe(20_000);
      expect(kept.withLaterPackets).toBe(0);
      expect(kept.stateOf(1)).toBe(COUNT_ONLY);
      const first = kept.take(0), third = kept.take(2);
      expect(first).toMatchObject({ omitted: 0, omittedAt: 1 });
      expect(first.packets).toEqual([{
        time: 0, fromOrig: true, flags: 0x02, seq: 0, ack: 0, payload: 0, window: 1024, frame: 1, verdicts: 0,
        synOptions: { mss: null, windowScale: null, sackPermitted: false, timestamps: false, tfoCookieLen: null },
      }]);
      expect(third.packets[0]).toMatchObject({ flags: 0x02, seq: 2, frame: 3 }); // (the even packets are the SYNs)
      kept.forget(0);
      expect(kept.stateOf(0)).toBe(NOT_WATCHED);
      expect(Array.from({ length: slot }, (_, s) => kept.stateOf(s)).filter((state) => state === KEEPING)).toHaveLength(9_999);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("captureLadders on a long connection", () => {
  it("draws the first 400 and the last 100 packets and says how many are left out where", async () => {
    const conv = new Conversation({ clientPort: 40020 }).c(SYN).s(SYN | ACK).c(ACK);
    for (let k = 0; k < 597; k++) conv.c({ flags: ACK | PSH, payload: 10 });
    const { ladders } = await captureLadders(writePcap(conv.frames), compileFilter("tcp"));
    const l = ladders[0]!;
    expect(l.packets).toHaveLength(500);
    expect(l.omitted).toBe(100);
    expect(l.omittedAt).toBe(400);
    const frames = l.packets.map((p) => p.frame);
    expect(frames.slice(0, 400)).toEqual(Array.from({ length: 400 }, (_, k) => k + 1));
    expect(frames.slice(400)).toEqual(Array.from({ length: 100 }, (_, k) => k + 501));
    expect(l.packets[0]!.fromOrig).toBe(true);
    expect(l.packets[1]!.fromOrig).toBe(false);
    expect(l.packets[1]!.synOptions).toBeDefined();
    expect(l.packets[1]!.time).toBeGreaterThan(0);
  });
});
