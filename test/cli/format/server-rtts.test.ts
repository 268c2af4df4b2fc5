import { describe, it, expect } from "vitest";
import { ServerRtts } from "../../../cli/format/server-rtts.js";
import { rng } from "../../helpers/decode.js";

describe("ServerRtts", () => {
  it("takes exact percentiles by nearest rank while it holds every value, and within 1% past that", () => {
    const random = rng(3);
    const rtts = new ServerRtts();
    const values: number[] = [];
    for (let k = 0; k < 2500; k++) {
      // Whole and fractional microseconds mixed, as the ack-RTT means come.
      const v = k % 3 === 0 ? 1000 + Math.floor(random() * 5000) : 100 + random() * 20_000;
      rtts.add(v);
      values.push(v);
      if (k + 1 === 3 || k + 1 === 17 || k + 1 === 1000) {
        const sorted = values.slice().sort((a, b) => a - b);
        for (const q of [0.5, 0.9, 0.99]) expect(rtts.quantile(q), `${k + 1} values, q ${q}`).toBe(sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]);
      }
    }
    const sorted = values.slice().sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1]!;
      expect(Math.abs(rtts.quantile(q)! - exact) / exact).toBeLessThan(0.011);
    }
    expect([rtts.count, rtts.min, rtts.max]).toEqual([2500, sorted[0], sorted[2499]]);
    expect(new ServerRtts().quantile(0.5)).toBeNull();
  });
});
