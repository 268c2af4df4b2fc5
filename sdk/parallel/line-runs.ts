// Runs of lines the workers wrote (lines-worker.ts: each connection filtered and serialised
// there; at two threads, a message's lines the worker wrote in WebAssembly: scan-worker.ts, and
// those this thread wrote from connection bytes), merged by copying bytes (ended-line-runs.ts):
// per connection, nothing but its key and a copy is left to the main thread.

import { runsOf, type Received, type Run, type RunItem } from "./merge-runs.js";
import type { WorkerMessage } from "./messages.js";

/** Lines as UTF-8 bytes: line k ends at ends[k] (and starts where line k - 1 ends). */
export interface Lines { bytes: Uint8Array; ends: Uint32Array }

/**
 * One buffer the merged chunks are copied into, each over the one before, for a consumer that
 * is done with a chunk before it asks for the next (the command writes each out first). Without
 * it each chunk is a new buffer, which V8 frees only at its next collection: under a flood of
 * short connections at two threads those dead chunks held 30-60 MB.
 */
export class ChunkBuffer {
  private bytes = new Uint8Array(0);

  /** A view of `size` bytes, over what the last one held. */
  chunk(size: number): Uint8Array {
    if (size > this.bytes.length) this.bytes = new Uint8Array(Math.max(size, 2 * this.bytes.length));
    return this.bytes.subarray(0, size);
  }
}

/** The runs of a message of lines, each line to be taken from the message's buffer. */
export function linesRuns(m: Extract<WorkerMessage, { type: "lines" }>, message: Received): Run<Lines>[] {
  message.left = m.ends.length;
  return runsOf(m.groups, { bytes: new Uint8Array(m.bytes, 0, m.length), ends: m.ends }, m.keys, message);
}

/** The items' lines in their order, in one new buffer (or `into`'s); `took(run)` after each item. */
export function copyLines<L extends Lines>(
  items: RunItem<L>[], took: (run: RunItem<L>["run"]) => void, into: ChunkBuffer | null = null,
): Uint8Array {
  let size = 0;
  for (const { run, k } of items) size += run.data.ends[k]! - (k === 0 ? 0 : run.data.ends[k - 1]!);
  const out = into ? into.chunk(size) : new Uint8Array(size);
  let at = 0;
  // Consecutive items of one run are one copy (one worker's batch is already in order).
  for (let i = 0; i < items.length;) {
    const { run, k } = items[i]!;
    let j = i + 1;
    while (j < items.length && items[j]!.run === run && items[j]!.k === items[j - 1]!.k + 1) j++;
    const from = k === 0 ? 0 : run.data.ends[k - 1]!, to = run.data.ends[items[j - 1]!.k]!;
    out.set(run.data.bytes.subarray(from, to), at);
    at += to - from;
    for (let n = i; n < j; n++) took(run);
    i = j;
  }
  return out;
}
