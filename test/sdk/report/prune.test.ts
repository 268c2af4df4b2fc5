import { describe, it, expect } from "vitest";
import { pruneLeastActive } from "../../../sdk/report/prune.js";
import { rng } from "../../helpers/decode.js";

// What pruning means, written the obvious way: sort the entries by weight (a stable sort keeps
// equal weights in insertion order) and delete the first ones until max / 2 are left.
function pruneBySorting(map: Map<string, number>, max: number): void {
  if (map.size <= max) return;
  const sorted = [...map].sort((a, b) => a[1] - b[1]);
  for (const [key] of sorted.slice(0, map.size - max / 2)) map.delete(key);
}

describe("pruneLeastActive", () => {
  it("keeps the same entries, in the same order, as sorting them by weight", () => {
    const random = rng(7);
    for (let round = 0; round < 60; round++) {
      const max = 2 + 2 * Math.floor(random() * 50);
      const spread = 1 + Math.floor(random() * 10); // few distinct weights: many ties
      const a = new Map<string, number>();
      const b = new Map<string, number>();
      for (let k = 0; k < max * 3; k++) {
        const key = `k${Math.floor(random() * max * 2)}`;
        const weight = Math.floor(random() * spread);
        a.set(key, (a.get(key) ?? 0) + weight);
        b.set(key, (b.get(key) ?? 0) + weight);
        pruneLeastActive(a, (v) => v, max);
        pruneBySorting(b, max);
        expect([...a]).toEqual([...b]);
      }
    }
  });

  it("does nothing up to the bound, and halves the map past it", () => {
    const map = new Map(Array.from({ length: 10 }, (_, k) => [`k${k}`, k] as [string, number]));
    expect(pruneLeastActive(map, (v) => v, 10)).toBeNull();
    expect(map.size).toBe(10);
    map.set("k10", 0);
    // It says the weight of the most active entry it removed (k5 stays, k4 goes).
    expect(pruneLeastActive(map, (v) => v, 10)).toBe(4);
    // 11 entries: the 6 lightest go (k0 before k10 among the two weighing 0: it is older).
    expect([...map.keys()]).toEqual(["k5", "k6", "k7", "k8", "k9"]);
  });
});
