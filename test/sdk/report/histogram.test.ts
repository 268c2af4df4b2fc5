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

  it("past its exact values, negative ones (a clock that stepped back) keep their sign and order, within 1%", () => {
    const h = new LogHistogram();
    const random = rng(12);
    // 60 % of 5 000 between -900 and -100 µs, a few within a nanosecond of zero, the rest positive.
    const values = Array.from({ length: 5000 }, (_, k) => (k % 10 < 6 ? -100 - 800 * random() : k % 50 === 7 ? 1e-4 * random() : 10 + 1000 * random()));
    for (const v of values) h.add(v);
    values.sort((a, b) => a - b);
    for (const q of [0.01, 0.3, 0.5, 0.59, 0.7, 0.9, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1]!;
      const got = h.quantile(q)!;
      expect(Math.sign(got), `${q}`).toBe(Math.sign(exact));
      expect(Math.abs(got - exact) / Math.abs(exact), `${q}: ${got} against ${exact}`).toBeLessThan(0.011);
    }
    const all = new LogHistogram();
    for (let k = 0; k < 5000; k++) all.add(k < 3000 ? -500 : 100);
    expect(Math.abs(all.quantile(0.5)! + 500)).toBeLessThan(5); // was 0.001: every negative value in the lowest bucket
    expect(all.quantile(0.9)).toBe(100); // its bucket's middle clamped to the max
  });
});
