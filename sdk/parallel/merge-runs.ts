// What the workers of a parallel scan send, as the main thread merges it: runs of connections
// (records as bytes, or lines already written), each with the key the canonical order sorts
// by (time ended, key: connections/connection-id.ts). Two kinds share the merge in parallel-tracker.ts: record-runs.ts builds
// records from connection bytes, ended-line-runs.ts copies lines (the workers', or those this
// thread wrote from connection bytes).

import type { WorkerMessage } from "./messages.js";

/** A message's buffer, given back to its worker once nothing is left to take from it. */
export interface Received {
  /** null: the records were read in place (an ended ring's, released once copied). */
  buffer: ArrayBuffer | null;
  left: number;
  giveBack(): void;
}

/**
 * Items `first` to `first + count - 1` of a message, all of one batch (or all still open at the
 * end of input). `keys[2k]` is when item k ended, `keys[2k + 1]` its connection's key.
 */
export interface Run<D> {
  /** The batch the items ended in (FINAL_BATCH: still open at the end of input). */
  batch: number;
  data: D;
  keys: Float64Array;
  first: number;
  count: number;
  message: Received;
}

/** Item k of a run, with its key. */
export interface RunItem<D> { run: Run<D>; k: number; at: number; key: number }

export interface RunKind<D, T> {
  /**
   * The message's runs with their batch numbers (FINAL_BATCH for the open ones at the end);
   * `records`: the memory an "ended-in-place" message's records are in.
   */
  receive(m: WorkerMessage, message: Received, records: WebAssembly.Memory): Run<D>[];
  /** What is handed on for these items, in this order (each is taken once). */
  emit(items: RunItem<D>[]): T;
}

/**
 * A message's runs, one per group of its worker's batches, over the message's `data` and `keys`
 * (all of one shape, whichever batch: the merge reads them in the same functions).
 */
export function runsOf<D>(
  groups: readonly { batch: number; count: number }[], data: D, keys: Float64Array, message: Received,
): Run<D>[] {
  let first = 0;
  return groups.map((g) => {
    const run: Run<D> = { batch: g.batch, data, keys, first, count: g.count, message };
    first += g.count;
    return run;
  });
}

/** Marks item k of its run taken; the message goes back to its worker after its last one. */
export function taken<D>(run: Run<D>): void {
  if (--run.message.left === 0) run.message.giveBack();
}
