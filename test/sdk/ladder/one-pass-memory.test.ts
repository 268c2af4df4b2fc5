// The one pass (a ladder from a stream) keeps the packets of every connection it may still draw:
// with thousands open at once it kept them all (553 MB for 20 000 connections of 150 packets).
// Past its bound it lets go of the latest-begun connections' packets, never the first `limit`'s:
// a selection by endpoints draws the same ladders; one whose matches are among those let go
// says how many could not be drawn.

import { describe, it, expect } from "vitest";
import { compileFilter, type ConnectionLadder } from "../../../sdk/index.js";
import { laddersInOnePass } from "../../../sdk/ladder/ladder-one-pass.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

const { SYN, ACK, FIN, RST, PSH } = F;

/** `n` connections open at once, `data` segments each, interleaved; the first `finFirst` end with FIN, the rest with RST. */
function manyOpen(n: number, data: number, finFirst: number): Uint8Array {
  const conversations = Array.from({ length: n }, (_, k) => {
    const c = new Conversation({ clientPort: 20_000 + k, start: 1_700_000_000 + k * 0.001 }).c(SYN).s(SYN | ACK).c(ACK);
    for (let p = 0; p < data; p++) c.c({ flags: ACK | PSH, payload: 10, dt: 50 });
    return k < finFirst ? c.c(FIN | ACK).s(FIN | ACK).c(ACK) : c.c(RST | ACK);
  });
  return writePcap(merge(...conversations));
}

/** The capture as a stream of small pieces: batches of a few packets, so that the bound is applied as it goes. */
async function* pieces(bytes: Uint8Array) {
  for (let at = 0; at < bytes.length; at += 2048) yield bytes.subarray(at, at + 2048);
}

async function draw(bytes: Uint8Array, selection: string, limit: number, keptPackets?: number) {
  const ladders: ConnectionLadder[] = [];
  const count = await laddersInOnePass([pieces(bytes)], compileFilter(selection), {}, limit, (l) => { ladders.push(l); }, keptPackets);
  return { ladders, count };
}

describe("the one pass's bound on the packets it keeps", () => {
  const capture = manyOpen(60, 40, 30);

  it("draws the same ladders when the selection is by endpoints: the first begun are kept", async () => {
    const unbounded = await draw(capture, "port 80", 5);
    const bounded = await draw(capture, "port 80", 5, 300); // 60 x 40 packets open at once: 2 400
    expect(bounded.count.notDrawn).toBeUndefined();
    expect(bounded.ladders).toEqual(unbounded.ladders);
    expect(bounded.count.matched).toBe(60);
    expect(bounded.ladders.map((l) => l.connection.orig.port)).toEqual([20_000, 20_001, 20_002, 20_003, 20_004]);
  });

  it("counts the matches it could not draw, when those it let go are the ones that match", async () => {
    // The first 30 begun end with FIN, the rest with RST: "teardown rst-orig" matches only the latest begun.
    const unbounded = await draw(capture, "teardown rst-orig", 5);
    expect(unbounded.ladders.map((l) => l.connection.orig.port)).toEqual([20_030, 20_031, 20_032, 20_033, 20_034]);
    expect(unbounded.count.notDrawn).toBeUndefined();
    for (const limit of [1, 2, 5]) {
      const bounded = await draw(capture, "teardown rst-orig", limit, 300);
      expect(bounded.count.matched).toBe(30);
      // The first `limit` matches take their places, drawn or not: never more than the limit.
      expect(bounded.count.drawn + (bounded.count.notDrawn ?? 0), String(limit)).toBe(limit);
      expect(bounded.count.notDrawn, String(limit)).toBeGreaterThan(0);
      // What it drew is among the first matches, and whole: every packet of its connection.
      for (const l of bounded.ladders) {
        expect(unbounded.ladders.slice(0, limit).map((u) => u.connection.id)).toContain(l.connection.id);
        expect(l.packets).toHaveLength(3 + 40 + 1);
      }
    }
  });

  it("with no limit (--ladder-limit none), keeps the first 20 and counts those it let go", async () => {
    const all = await draw(capture, "port 80", Infinity);
    expect([all.ladders.length, all.count.notDrawn]).toEqual([60, undefined]);
    const bounded = await draw(capture, "port 80", Infinity, 300);
    expect(bounded.count.notDrawn).toBeGreaterThan(0);
    expect(bounded.ladders.length + bounded.count.notDrawn!).toBe(60);
    expect(bounded.ladders.slice(0, 20)).toEqual(all.ladders.slice(0, 20));
  });
});
