// The reference tracker's queue of half-open connections: the same answers as an insertion-
// ordered Map (what it replaced) under random pushes, removals from anywhere and pops.

import { describe, it, expect } from "vitest";
import { SlotFifo } from "../../../sdk/connections/slot-fifo.js";

describe("SlotFifo", () => {
  it("keeps insertion order with removals anywhere, as a Map would", () => {
    const fifo = new SlotFifo();
    const model = new Map<number, number>();
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let step = 0; step < 50_000; step++) {
      const slot = rand(5000);
      const op = rand(3);
      if (op === 0 && !model.has(slot)) {
        fifo.push(slot, step);
        model.set(slot, step);
      } else if (op === 1) {
        expect(fifo.delete(slot)).toBe(model.delete(slot));
      } else if (model.size > 0) {
        const [oldest, deadline] = model.entries().next().value as [number, number];
        expect(fifo.oldest()).toBe(oldest);
        expect(fifo.oldestDeadline()).toBe(deadline);
        fifo.delete(oldest);
        model.delete(oldest);
      }
      expect(fifo.size).toBe(model.size);
    }
  });

  it("answers -1 and Infinity when empty, and grows past its first arrays", () => {
    const fifo = new SlotFifo();
    expect(fifo.oldest()).toBe(-1);
    expect(fifo.oldestDeadline()).toBe(Infinity);
    fifo.push(100_000, 1.5);
    fifo.push(3, 2.5);
    expect(fifo.oldest()).toBe(100_000);
    expect(fifo.delete(100_000)).toBe(true);
    expect(fifo.delete(100_000)).toBe(false);
    expect(fifo.oldest()).toBe(3);
    expect(fifo.oldestDeadline()).toBe(2.5);
  });
});
