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
    expect(servers.reduce((t, r) => t + r.notCounted, 0)).toBe(budget.notCounted);
    // The servers counted whole still give their percentiles within 1%.
    const first = servers[0]!;
    expect(first.count).toBe(1100);
    expect(Math.abs(first.quantile(0.5)! - 1.0105 ** 549) / 1.0105 ** 549).toBeLessThan(0.011);
  });

  it("moves its exact values into buckets only when the budget holds every bucket they fill", () => {
    // The 128 exact values spread over ~128 buckets: room for 64 buckets but not 128 refuses the
    // move (and the value), and keeps every value counted as it was (it lost 64 of them before).
    for (const room of [64, 127, 128, 1000]) {
      const budget = new RttTableBudget();
      const rtts = new ServerRtts(budget);
      const values = Array.from({ length: 128 }, (_, k) => 1.0105 ** k);
      for (const v of values) rtts.add(v);
      budget.left = room * 20; // what the buckets take: 20 bytes each
      rtts.add(1000);
      const sorted = [...values].sort((a, b) => a - b);
      if (room < 129) {
        expect([rtts.count, rtts.notCounted], String(room)).toEqual([128, 1]);
        expect(rtts.quantile(0.9)).toBe(sorted[Math.ceil(0.9 * 128) - 1]);
      } else {
        expect([rtts.count, rtts.notCounted], String(room)).toEqual([129, 0]);
        const exact = [...sorted, 1000].sort((a, b) => a - b)[Math.ceil(0.9 * 129) - 1]!;
        expect(Math.abs(rtts.quantile(0.9)! - exact) / exact).toBeLessThan(0.011);
      }
    }
  });
});
