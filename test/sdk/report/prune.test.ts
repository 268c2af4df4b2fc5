import { describe, it, expect } from "vitest";
import { cutOf, pruneLeastActive } from "../../../sdk/report/prune.js";
import { KeyTable, keepIn } from "../../../sdk/report/key-table.js";
import { rng } from "../../helpers/decode.js";

// What pruning means, written the obvious way: sort the entries by weight (a stable sort keeps
// equal weights in insertion order) and delete the first ones until max / 2 are left.
function pruneBySorting(map: Map<string | number, number>, max: number): void {
  if (map.size <= max) return;
  const sorted = [...map].sort((a, b) => a[1] - b[1]);
  for (const [key] of sorted.slice(0, map.size - max / 2)) map.delete(key);
}

// A table of keys with a weight column, pruned by pruneLeastActive: its entries as [key, weight] pairs.
class WeightedTable {
  readonly keys = new KeyTable();
  weights: number[] = [];
  add(key: string | number, weight: number): void {
    let e = this.keys.find(key);
    if (e < 0) { e = this.keys.add(key); this.weights[e] = 0; }
    this.weights[e] += weight;
  }
  prune(max: number): number | null {
    const pruned = pruneLeastActive(this.keys, Float64Array.from(this.weights), max);
    if (!pruned) return null;
    keepIn(this.weights, pruned.kept, pruned.size);
    return pruned.cut;
  }
  entries(): [string | number, number][] {
    return this.weights.slice(0, this.keys.size).map((w, e) => [this.keys.keyAt(e), w]);
  }
}

describe("pruneLeastActive", () => {
  it("keeps the same entries, in the same order, as sorting them by weight", () => {
    const random = rng(7);
    for (let round = 0; round < 60; round++) {
      const max = 2 + 2 * Math.floor(random() * 50);
      const spread = 1 + Math.floor(random() * 10); // few distinct weights: many ties
      const a = new WeightedTable();
      const b = new Map<string | number, number>();
      for (let k = 0; k < max * 3; k++) {
        // Numeric keys (an IPv4 endpoint's) and text ones (an IPv6 address's), mixed.
        const n = Math.floor(random() * max * 2);
        const key = n % 3 === 0 ? `k${n}` : n * 65536 + 443;
        const weight = Math.floor(random() * spread);
        a.add(key, weight);
        b.set(key, (b.get(key) ?? 0) + weight);
        a.prune(max);
        pruneBySorting(b, max);
        expect(a.entries()).toEqual([...b]);
      }
    }
  });

  it("does nothing up to the bound, and halves the table past it", () => {
    const table = new WeightedTable();
    for (let k = 0; k < 10; k++) table.add(`k${k}`, k);
    expect(table.prune(10)).toBeNull();
    expect(table.keys.size).toBe(10);
    table.add("k10", 0);
    // It says the weight of the most active entry it removed (k5 stays, k4 goes).
    expect(table.prune(10)).toBe(4);
    // 11 entries: the 6 lightest go (k0 before k10 among the two weighing 0: it is older).
    expect(table.entries().map(([key]) => key)).toEqual(["k5", "k6", "k7", "k8", "k9"]);
    // The kept keys are found again, the others not.
    expect(table.keys.find("k7")).toBe(2);
    expect(table.keys.find("k4")).toBe(-1);
  });
});

describe("cutOf", () => {
  const same = (x: number, y: number) => Object.is(x, y) || (x === 0 && y === 0); // -0 and 0 weigh alike
  // What it stands for: the weight a sort puts at position drop - 1, and how many come before it.
  function bySorting(a: Float64Array, drop: number): { cut: number; lighter: number } {
    const sorted = a.slice().sort();
    const cut = sorted[drop - 1]!;
    let lighter = 0;
    while (sorted[lighter]! < cut) lighter++;
    return { cut, lighter };
  }

  it("as sorting: counts of any size, weights past the counted ones, fractions, NaN and signed zeros", () => {
    const random = rng(11);
    for (let round = 0; round < 400; round++) {
      const n = 1 + Math.floor(random() * (round < 100 ? 8 : 600));
      const spread = [3, 40, 300, 1000][round % 4]!; // counts within the counted range and past it
      const a = Float64Array.from({ length: n }, () => {
        const r = random();
        if (round % 5 !== 0) return Math.floor(random() * spread); // whole counts, many ties
        return r < 0.05 ? NaN : r < 0.1 ? -0 : r < 0.15 ? Infinity : r < 0.2 ? 0.5 : r < 0.25 ? -1 : Math.floor(random() * spread);
      });
      for (const drop of [1, n, 1 + Math.floor(random() * n)]) {
        const want = bySorting(a, drop), got = cutOf(a.slice(), drop);
        expect(same(got.cut, want.cut) && got.lighter === want.lighter, `${Array.from(a).slice(0, 12)}, drop ${drop}`).toBe(true);
      }
    }
  });

  it("refuses a count to drop outside 1 to the weights' number (it would not end)", () => {
    const a = Float64Array.from([5, 6]);
    expect(() => cutOf(a, 3)).toThrow(RangeError);
    expect(() => cutOf(a, 0)).toThrow(RangeError);
    expect(() => cutOf(a, NaN)).toThrow(RangeError);
    expect(cutOf(a, 2)).toEqual({ cut: 6, lighter: 1 });
  });

  it("on every array of up to five weights drawn from NaN, the infinities, the zeros, 1 and 255", () => {
    const values = [NaN, -Infinity, -0, 0, 1, 255, Infinity];
    for (let n = 1; n <= 5; n++) {
      for (let code = 0; code < values.length ** n; code++) {
        const a = Float64Array.from({ length: n }, (_, i) => values[Math.floor(code / values.length ** i) % values.length]!);
        for (let drop = 1; drop <= n; drop++) {
          const want = bySorting(a, drop), got = cutOf(a.slice(), drop);
          expect(same(got.cut, want.cut) && got.lighter === want.lighter, `${Array.from(a)}, drop ${drop}`).toBe(true);
        }
      }
    }
  });
});
