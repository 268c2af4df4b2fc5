// The one pass's ready ladders: taken lowest id first, the highest given up, whatever order they
// are added in, with a few in memory and the rest in the temporary file; held to a plain sorted list.

import { describe, it, expect } from "vitest";
import { ReadyLadders } from "../../../sdk/ladder/ready-ladders.js";
import { rng } from "../../../bench/generate.js";
import type { ConnectionLadder } from "../../../sdk/index.js";

function ladder(id: number): ConnectionLadder {
  return {
    connection: { id, history: "ShAFf" },
    packets: [{ time: 0, fromOrig: true, flags: 2, seq: 1, ack: 0, payload: 0, window: 1024, frame: id, verdicts: 0 }],
    omitted: 0, omittedAt: 1, nanoseconds: false,
  } as unknown as ConnectionLadder;
}

describe("ReadyLadders", () => {
  it("takes the lowest id first and gives up the highest, as a sorted list does, over thousands taken (matches let go as null)", () => {
    const random = rng(3);
    const ready = new ReadyLadders(8);
    const expected: number[] = [];
    const letGo = new Set<number>(); // added as null: a match whose packets were let go
    const entry = (id: number) => (letGo.has(id) ? null : ladder(id));
    let next = 1;
    try {
      for (let step = 0; step < 20_000; step++) {
        const r = random();
        if (r < 0.55) {
          // Mostly in id order, some from further back (connections end in another order than they began).
          const id = random() < 0.8 ? next++ : next++ - 1_000_000;
          if (random() < 0.1) letGo.add(id);
          ready.add(id, entry(id));
          expected.push(id);
          expected.sort((a, b) => a - b);
        } else if (r < 0.95 && expected.length > 0) {
          expect(ready.minId()).toBe(expected[0]);
          expect(ready.shift()).toEqual(entry(expected.shift()!));
        } else if (expected.length > 0) {
          expect(ready.maxId()).toBe(expected.at(-1));
          ready.dropMax();
          expected.pop();
        }
        expect(ready.size).toBe(expected.length);
      }
      while (expected.length > 0) expect(ready.shift()?.connection.id ?? null).toBe(entry(expected.shift()!)?.connection.id ?? null);
      expect(letGo.size).toBeGreaterThan(100);
      expect([ready.size, ready.minId(), ready.maxId()]).toEqual([0, Infinity, -Infinity]);
    } finally {
      ready.close();
    }
  });
});
