import { describe, it, expect } from "vitest";
import { LogHistogram } from "../../../sdk/report/histogram.js";
import { rng } from "../../helpers/decode.js";

describe("LogHistogram", () => {
  it("gives percentiles within 1% of the exact ones, exact min and max", () => {
    const h = new LogHistogram();
    const random = rng(11);
    const values = Array.from({ length: 20000 }, () => Math.exp(random() * 12)); // 1 .. 160 000, past the exact samples
    for (const v of values) h.add(v);
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1]!;
      expect(Math.abs(h.quantile(q)! - exact) / exact).toBeLessThan(0.011);
    }
    expect(h.min).toBe(values[0]);
    expect(h.max).toBe(values[values.length - 1]);
  });

  it("is exact while it holds few values", () => {
    const h = new LogHistogram();
    for (const v of [10000, 12000, 10000]) h.add(v);
    expect([h.quantile(0.5), h.quantile(0.9), h.quantile(0.99)]).toEqual([10000, 12000, 12000]);
  });

  it("is empty-safe and exact for a single value", () => {
    const h = new LogHistogram();
    expect(h.quantile(0.5)).toBeNull();
    h.add(20000);
    expect(h.quantile(0.5)).toBe(20000);
    expect(h.quantile(0.99)).toBe(20000);
  });
});
