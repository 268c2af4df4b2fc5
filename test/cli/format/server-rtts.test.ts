import { describe, it, expect } from "vitest";
import { RTT_TABLE_BYTES, RttTableBudget, ServerRtts } from "../../../cli/format/server-rtts.js";
import { rng } from "../../helpers/decode.js";

describe("ServerRtts", () => {
  it("takes exact percentiles by nearest rank while it holds every value, and within 1% past that", () => {
    const random = rng(3);
    const rtts = new ServerRtts(new RttTableBudget());
    const values: number[] = [];
    for (let k = 0; k < 2500; k++) {
      // Whole and fractional microseconds mixed, as the ack-RTT means come.
      const v = k % 3 === 0 ? 1000 + Math.floor(random() * 5000) : 100 + random() * 20_000;
      rtts.add(v);
      values.push(v);
      if (k + 1 === 3 || k + 1 === 17 || k + 1 === 128) {
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
    expect(new ServerRtts(new RttTableBudget()).quantile(0.5)).toBeNull();
  });

  it("all servers' values and buckets share one budget: past it, values are not counted, and said so", () => {
    const budget = new RttTableBudget();
    const servers: ServerRtts[] = [];
    // Servers whose RTTs spread over ~1 100 buckets each (10 000 such took 958 MB before the budget).
    let added = 0;
    for (let s = 0; budget.notCounted === 0; s++) {
      const rtts = new ServerRtts(budget);
      servers.push(rtts);
      for (let k = 0; k < 1100; k++) { rtts.add(1.0105 ** k); added++; }
    }
    expect(budget.left).toBeGreaterThanOrEqual(0);
    expect(budget.left).toBeLessThan(RTT_TABLE_BYTES / 100);
    const counted = servers.reduce((t, r) => t + r.count, 0);
    expect(counted + budget.notCounted).toBe(added);
    // The servers counted whole still give their percentiles within 1%.
    const first = servers[0]!;
    expect(first.count).toBe(1100);
    expect(Math.abs(first.quantile(0.5)! - 1.0105 ** 549) / 1.0105 ** 549).toBeLessThan(0.011);
  });
});
