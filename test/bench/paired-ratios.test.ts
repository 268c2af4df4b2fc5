import { describe, expect, it } from "vitest";
import { describeRatio, pairedRatio, roundOrder } from "../../bench/paired-ratios.js";

describe("pairedRatio", () => {
  it("takes each round's ratio, then their median and range", () => {
    // Rounds of 2, 4 and 3 s against 1, 1 and 2 s: ratios 2, 4, 1.5.
    expect(pairedRatio([2, 4, 3], [1, 1, 2])).toEqual({ median: 2, min: 1.5, max: 4 });
    // An even count: the mean of the middle two.
    expect(pairedRatio([2, 3, 4, 8], [1, 1, 1, 1])).toEqual({ median: 3.5, min: 2, max: 8 });
  });

  it("is not the ratio of the bests when the machine drifts", () => {
    // A fast round for one engine and a slow one for the other: bests 1 / 1 = 1, paired 2 and 2.
    const r = pairedRatio([2, 1], [1, 0.5]);
    expect(r?.median).toBe(2);
  });

  it("uses only rounds both have, and says when there are none", () => {
    expect(pairedRatio([3, 3, 3], [1])).toEqual({ median: 3, min: 3, max: 3 });
    expect(pairedRatio([], [1, 2])).toBeNull();
    expect(describeRatio(null)).toBe("n/a");
    expect(describeRatio({ median: 2.046, min: 1.931, max: 2.314 })).toBe("2.05x (1.93-2.31)");
  });
});

describe("roundOrder", () => {
  it("runs every engine once a round, a unit's engines back to back, starting one unit later each round", () => {
    const units = [["t1", "t2", "C"], ["parquet"], ["sum2"], ["sum1"], ["TS"]];
    const orders = [0, 1, 2, 3, 4, 5].map((k) => roundOrder(units, k));
    for (const order of orders) {
      expect([...order].sort()).toEqual(units.flat().sort());
      // The pairs whose ratios are taken are neighbours in every round.
      const at = (e: string) => order.indexOf(e);
      expect(Math.abs(at("t1") - at("t2"))).toBe(1);
      expect(Math.abs(at("t2") - at("C"))).toBe(1);
    }
    expect(orders[0]).toEqual(["t1", "t2", "C", "parquet", "sum2", "sum1", "TS"]);
    expect(orders[1]).toEqual(["parquet", "sum2", "sum1", "TS", "C", "t2", "t1"]);
    expect(orders[2]).toEqual(["sum2", "sum1", "TS", "t1", "t2", "C", "parquet"]);
    // Neither engine of a pair always runs first.
    expect(orders.filter((o) => o.indexOf("t1") < o.indexOf("t2"))).toHaveLength(3);
  });
});
