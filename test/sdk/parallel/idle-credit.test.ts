// The worker's idle time, spent writing lines (sdk/parallel/idle-credit.ts): it writes a
// message's lines only while the time it waited and has not yet spent covers them.

import { describe, it, expect } from "vitest";
import { CAP_MS, IdleCredit } from "../../../sdk/parallel/idle-credit.js";

describe("IdleCredit", () => {
  it("covers no lines before the worker waited, nor an empty message", () => {
    const idle = new IdleCredit();
    expect(idle.covers(1)).toBe(false);
    idle.add(1);
    expect(idle.covers(0)).toBe(false);
  });

  it("covers as many lines as the time waited pays for, at the estimated cost of a line", () => {
    const idle = new IdleCredit();
    idle.add(0.5);
    const fits = Math.floor(0.5 / idle.lineMs);
    expect(idle.covers(fits)).toBe(true);
    expect(idle.covers(fits + 1)).toBe(false);
  });

  it("keeps at most CAP_MS (a few ms): a long wait is not spent later", () => {
    const idle = new IdleCredit();
    expect(CAP_MS).toBeGreaterThan(0);
    expect(CAP_MS).toBeLessThan(20);
    idle.add(1000);
    expect(idle.covers(Math.floor(CAP_MS / idle.lineMs))).toBe(true);
    expect(idle.covers(Math.floor(CAP_MS / idle.lineMs) + 1)).toBe(false);
  });

  it("spends the time the lines took, and learns a line's cost a quarter at a time, an outlier at most 4x", () => {
    const idle = new IdleCredit();
    const first = idle.lineMs;
    idle.add(2);
    idle.spent(1, 1); // 1 ms for one line: counted as 4x the estimate
    expect(idle.lineMs).toBeCloseTo(first + (4 * first - first) / 4, 12);
    expect(idle.covers(Math.floor(1 / idle.lineMs))).toBe(true); // 1 ms left
    expect(idle.covers(Math.floor(1 / idle.lineMs) + 1)).toBe(false);
    idle.spent(5, 100); // more than is left: nothing left, never below
    expect(idle.covers(1)).toBe(false);
    idle.add(idle.lineMs);
    expect(idle.covers(1)).toBe(true);
  });
});
