// Several lists threaded through the same slots: each keeps its slots in queueing order through
// removals anywhere, as an array per list would.

import { describe, it, expect } from "vitest";
import { SlotLists } from "../../../sdk/connections/slot-lists.js";
import { rng } from "../../helpers/decode.js";

describe("SlotLists", () => {
  it("keeps each list in queueing order with removals anywhere, as arrays would", () => {
    const random = rng(3);
    const lists = new SlotLists(4);
    const model: number[][] = [[], [], [], []];
    const listOf = new Map<number, number>();
    let next = 0;
    for (let step = 0; step < 20_000; step++) {
      const list = Math.floor(random() * 4);
      if (random() < 0.55 || listOf.size === 0) {
        const slot = next++;
        lists.push(list, slot);
        model[list]!.push(slot);
        listOf.set(slot, list);
      } else {
        const queued = [...listOf.keys()];
        const slot = queued[Math.floor(random() * queued.length)]!;
        const from = listOf.get(slot)!;
        lists.delete(from, slot);
        model[from]!.splice(model[from]!.indexOf(slot), 1);
        listOf.delete(slot);
      }
      for (let l = 0; l < 4; l++) {
        expect(lists.size(l)).toBe(model[l]!.length);
        expect(lists.oldest(l)).toBe(model[l]![0] ?? -1);
      }
    }
    // Emptied from the front, each list gives its slots back in order.
    for (let l = 0; l < 4; l++) {
      const drained: number[] = [];
      for (let s = lists.oldest(l); s >= 0; s = lists.oldest(l)) { drained.push(s); lists.delete(l, s); }
      expect(drained).toEqual(model[l]);
    }
  });
});
