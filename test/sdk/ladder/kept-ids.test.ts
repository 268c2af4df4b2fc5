// The one pass's kept connections by id: the lowest, and those past a bound taken out, as a scan
// of every slot finds them, over slots reused and entries gone stale (compacted past 1 024).

import { describe, it, expect } from "vitest";
import { KeptIds } from "../../../sdk/ladder/kept-ids.js";
import { rng } from "../../../bench/generate.js";

describe("KeptIds", () => {
  it("finds what a scan of the slots finds, over 20 000 connections in 3 000 slots", () => {
    const random = rng(5);
    const idOf = new Map<number, number>(); // slot -> id of the connection it keeps
    const ids = new KeptIds((slot, id) => idOf.get(slot) === id);
    let next = 1, bound = Infinity;
    for (let step = 0; step < 60_000; step++) {
      const slot = Math.floor(random() * 3000), r = random();
      if (r < 0.4 && !idOf.has(slot)) {
        // Ids mostly grow; a held one-packet connection promoted late has an older one.
        const id = random() < 0.9 ? next++ : Math.max(1, next - 1 - Math.floor(random() * 500));
        if (id >= bound) continue;
        idOf.set(slot, id);
        ids.add(id, slot);
      } else if (r < 0.8) {
        idOf.delete(slot); // it ended, or stopped being kept
      } else if (r < 0.81 && step > 50_000) { // (no connection past the bound is added: only late)
        bound = Math.min(bound, next - Math.floor(random() * 2000));
        const past = [...idOf].filter(([, id]) => id > bound).map(([s]) => s).sort((a, b) => a - b);
        expect(ids.takeAbove(bound).sort((a, b) => a - b)).toEqual(past);
        for (const s of past) idOf.delete(s);
      }
      expect(ids.lowestId()).toBe(Math.min(Infinity, ...idOf.values()));
    }
  });
});
