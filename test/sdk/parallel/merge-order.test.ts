// The merge's steps (sdk/parallel/merge-order.ts) over hand-made runs: which batches are
// complete, a batch's connections across workers in (time ended, id) order, and the connections
// open at the end taken by id, stopping where a worker still sending has none to compare with.

import { describe, it, expect } from "vitest";
import { completeUpTo, mergeBatch, queuedBatches, takeOpen, type Sent } from "../../../sdk/parallel/merge-order.js";
import type { Received, Run, RunItem } from "../../../sdk/parallel/merge-runs.js";
import { FINAL_BATCH } from "../../../sdk/parallel/messages.js";

const message = (): Received => ({ buffer: null, left: 0, giveBack: () => {} });

// A run of `batch` whose items are [time ended, id] pairs; its data names the worker.
function run(batch: number, worker: string, items: [number, number][]): Run<string> {
  return { batch, data: worker, keys: Float64Array.from(items.flat()), first: 0, count: items.length, message: message() };
}

function worker(index: number, queue: Run<string>[], final: Run<string>[] = [], upTo = 0, done = false): Sent<string> {
  return { index, queue, final, upTo, done };
}

const ids = (items: RunItem<string>[]) => items.map((i) => `${i.run.data}${i.key}`);

describe("the merge's order", () => {
  it("takes the batches below every worker's upTo, in order, once each", () => {
    const a = worker(0, [run(0, "a", [[1, 1]]), run(2, "a", [[3, 5]]), run(3, "a", [[4, 9]])], [], 4);
    const b = worker(1, [run(1, "b", [[2, 2]]), run(2, "b", [[3, 4]])], [], 3);
    expect(completeUpTo([a, b])).toBe(3);
    expect(queuedBatches([a, b], 3)).toEqual([0, 1, 2]);
    expect(completeUpTo([])).toBe(Infinity);
  });

  it("merges a batch from every worker by time ended, then id, and reports each run consumed", () => {
    const a = worker(0, [run(2, "a", [[1, 7], [3, 2]]), run(2, "a", [[5, 1]]), run(3, "a", [[6, 8]])]);
    const b = worker(1, [run(2, "b", [[1, 3], [3, 2.5]]), run(4, "b", [[9, 9]])]);
    const consumed: [number, number][] = [];
    const merged = mergeBatch([a, b], 2, (w, n) => consumed.push([w, n]));
    expect(ids(merged)).toEqual(["b3", "a7", "a2", "b2.5", "a1"]);
    expect(consumed).toEqual([[0, 2], [0, 1], [1, 2]]);
    expect(a.queue.map((r) => r.batch)).toEqual([3]);
    expect(b.queue.map((r) => r.batch)).toEqual([4]);
  });

  it("takes the open connections by id, a group at a time, until a worker still sending has none", () => {
    const a = worker(0, [], [run(FINAL_BATCH, "a", [[0, 2], [0, 6]])]);
    const b = worker(1, [], [run(FINAL_BATCH, "b", [[0, 3]]), run(FINAL_BATCH, "b", [[0, 4], [0, 9]])], Infinity, true);
    const group: RunItem<string>[] = [], taken = [0, 0];
    expect(takeOpen([a, b], group, taken, 3)).toBe(true);
    expect(ids(group)).toEqual(["a2", "b3", "b4"]);
    expect(taken).toEqual([1, 2]);
    group.length = 0;
    // a's 6 goes before b's 9; then a, still sending, has none queued: b's 9 waits for it.
    expect(takeOpen([a, b], group, taken, 3)).toBe(false);
    expect(ids(group)).toEqual(["a6"]);
    expect(taken).toEqual([2, 2]);
  });

  it("stops at a worker still sending with nothing queued, and goes on once it is done", () => {
    const a = worker(0, [], [], Infinity, false);
    const b = worker(1, [], [run(FINAL_BATCH, "b", [[0, 3]])], Infinity, true);
    const group: RunItem<string>[] = [], taken = [0, 0];
    expect(takeOpen([a, b], group, taken, 4)).toBe(false);
    expect(group).toEqual([]);
    a.done = true;
    expect(takeOpen([a, b], group, taken, 4)).toBe(false);
    expect(ids(group)).toEqual(["b3"]);
    expect(b.final).toEqual([]);
  });
});
