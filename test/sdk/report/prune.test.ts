import { describe, it, expect } from "vitest";
import { nthSmallest, pruneLeastActive } from "../../../sdk/report/prune.js";
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

describe("nthSmallest", () => {
  it("gives the value a sort puts at each position, duplicates, NaN and signed zeros included", () => {
    const random = rng(11);
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(random() * (round < 100 ? 8 : 400));
      const spread = 1 + Math.floor(random() * 20); // few distinct values: many ties
      const values = Float64Array.from({ length: n }, () => {
        const r = random();
        return r < 0.03 ? NaN : r < 0.05 ? -0 : r < 0.08 ? Infinity : Math.floor(random() * spread) - (r < 0.3 ? spread / 2 : 0);
      });
      const sorted = values.slice().sort();
      for (const k of [0, n - 1, Math.floor(random() * n), Math.floor(n / 2)]) {
        expect(Object.is(nthSmallest(values.slice(), k), sorted[k]) || (sorted[k] === 0 && nthSmallest(values.slice(), k) === 0), `n ${n}, k ${k}`).toBe(true);
      }
    }
  });

  it("on values in order, in reverse order and all equal", () => {
    for (const make of [(i: number) => i, (i: number) => 1000 - i, () => 7]) {
      const values = Float64Array.from({ length: 1000 }, (_, i) => make(i));
      const sorted = values.slice().sort();
      for (const k of [0, 1, 499, 500, 998, 999]) expect(nthSmallest(values.slice(), k)).toBe(sorted[k]);
    }
  });
});
