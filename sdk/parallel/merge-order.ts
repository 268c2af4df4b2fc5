// The merge's per-connection work (parallel-tracker.ts), in plain functions outside the scan's
// generators: which batches are complete, a batch's connections from every worker in the
// canonical order, the connections open at the end by key across the workers (connection-id.ts). Kept out of the
// generators so that these stay cold: V8 optimises a function once it has run enough bytecode,
// and a generator that looped over every connection itself was compiled by TurboFan with all it
// inlined (~50-70 ms of a background thread's CPU per two-thread scan, twice after a
// deoptimisation), for no gain in the time it runs. Small functions like these compile in a
// millisecond or two.

import { byEndThenKey } from "../connections/track.js";
import type { Run, RunItem } from "./merge-runs.js";

/** What the merge reads of a worker: the runs it sent, by batch, and those open at the end. */
export interface Sent<D> {
  index: number;
  /** Runs of connections that ended during decoded batches, by batch, in the order received. */
  queue: Run<D>[];
  /** Runs of connections still open at the end of input, in key order. */
  final: Run<D>[];
  /** Batches below this are complete (Infinity: all, the input has ended). */
  upTo: number;
  done: boolean;
}

const keyOf = <D>(run: Run<D>, k: number) => run.keys[2 * k + 1]!;
const endOf = <D>(run: Run<D>, k: number) => run.keys[2 * k]!;

/** Batches every worker has sent complete: those below the least `upTo`. */
export function completeUpTo<D>(workers: readonly Sent<D>[]): number {
  let complete = Infinity;
  for (const w of workers) complete = Math.min(complete, w.upTo);
  return complete;
}

/** The batches below `complete` with connections queued, in order. */
export function queuedBatches<D>(workers: readonly Sent<D>[], complete: number): number[] {
  const batches: number[] = [];
  for (const w of workers) {
    for (const run of w.queue) {
      if (run.batch < complete && !batches.includes(run.batch)) batches.push(run.batch);
    }
  }
  return batches.sort((a, b) => a - b);
}

/**
 * Batch `batch`'s connections from every worker (the runs at the front of their queues), taken
 * off the queues, in the canonical order (time ended, key); `consumed(worker, count)` for each run.
 */
export function mergeBatch<D>(workers: readonly Sent<D>[], batch: number, consumed: (worker: number, count: number) => void): RunItem<D>[] {
  const merged: RunItem<D>[] = [];
  for (const w of workers) {
    while (w.queue.length && w.queue[0]!.batch === batch) {
      const run = w.queue.shift()!;
      for (let k = run.first; k < run.first + run.count; k++) merged.push({ run, k, at: endOf(run, k), key: keyOf(run, k) });
      consumed(w.index, run.count);
    }
  }
  // One worker's batch is already in this order (its tracker's, canonical-order.ts): the sort then only checks it.
  return merged.sort(byEndThenKey);
}

/**
 * Moves connections still open at the end into `group`, the lowest key first across the workers,
 * until it holds `size` or a worker still sending has none queued to compare with (its next one
 * may come first); `taken[worker]` counts those taken from each. True when `group` is full.
 */
export function takeOpen<D>(workers: readonly Sent<D>[], group: RunItem<D>[], taken: number[], size: number): boolean {
  const headKey = (w: Sent<D>) => keyOf(w.final[0]!, w.final[0]!.first);
  while (group.length < size) {
    let best: Sent<D> | null = null;
    for (const w of workers) {
      if (w.final.length === 0) {
        if (!w.done) return false;
        continue;
      }
      if (!best || headKey(w) < headKey(best)) best = w;
    }
    if (!best) return false;
    const run = best.final[0]!;
    group.push({ run, k: run.first, at: endOf(run, run.first), key: keyOf(run, run.first) });
    taken[best.index]!++;
    run.first++;
    if (--run.count === 0) best.final.shift();
  }
  return true;
}
