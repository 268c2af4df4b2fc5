// The first worker's ended connections, left where its tracker wrote them for the main thread to
// copy (at two threads, the lines written in WebAssembly: ended-line-runs.ts). That worker's
// tracker lives in the decoder's shared memory, which the main thread sees: instead of copying
// each ended record (1 408 bytes) out into a buffer sent over (ended-bytes.ts), the tracker
// writes them into a ring of its own memory (setEndedArea before each call), and the worker's
// messages say where they are. A record's room, and the history and tunnel chain blocks it
// points to, are reused only once the main thread says it has copied it (RingWriter.released,
// batch-ring.ts): the worker waits for that when the ring is full, having first sent what it
// wrote (or the main thread could not release it).
//
// Positions count records since the start, with the ring's tail skipped when a call's room
// (ENDED_CAPACITY records, contiguous) does not fit before the end: record position p lies at
// record p mod RING_RECORDS of the ring.

import { CONN_SIZE } from "../../assembly/connection-layout.js";
import type { TrackerExports } from "../connections/tracker-module.js";
import type { RingReader } from "./batch-ring.js";

/**
 * Records the ring holds (2.9 MB): past what a worker has in flight at once while the main
 * thread keeps up (at most 767 written and not sent, and the messages it has not yet read).
 * 4 096 (5.8 MB) was no faster and held 4 MiB more.
 */
export const RING_RECORDS = 2048;

/** Runs of ended records in the ring, sent in one message: addresses and counts. */
export interface EndedRuns {
  at: number[];
  counts: number[];
  /** The ring position after the last of them: what the main thread releases once it has copied them. */
  releaseTo: number;
}

export class EndedRing {
  private readonly base: number; // the ring's address
  private readonly room: number; // records a call may end (the tracker's ended buffer)
  private position = 0; // where the current call's records go
  /** How many times the worker waited for the main thread to release the ring (for tests). */
  waits = 0;
  private writtenTo = 0; // the position after the last record written (what the next take() releases)
  private written = 0; // records written and not yet taken
  private runs: EndedRuns = { at: [], counts: [], releaseTo: 0 };
  // Runs whose records point to blocks, with the position of their first: freed once released.
  private readonly blocks: { at: number; count: number; start: number }[] = [];

  /**
   * `reader`: this worker's side of the batch ring (its waits for the release); `beforeWait`
   * sends what was written (take()) before the worker waits.
   */
  constructor(
    private readonly wasm: TrackerExports, private readonly reader: RingReader, private readonly beforeWait: () => void,
    private readonly records = RING_RECORDS,
  ) {
    this.room = wasm.endedCapacity();
    if (records < 2 * this.room) throw new RangeError(`an ended ring needs at least ${2 * this.room} records`);
    this.base = wasm.allocEndedRing(records) >>> 0;
    this.place();
  }

  /** Records written and not yet taken. */
  get count(): number {
    return this.written;
  }

  /** After a call: its `count` records at `at` (the current area) are written (then next()). */
  add(at: number, count: number): void {
    if (count === 0) return;
    const { at: ats, counts } = this.runs, last = ats.length - 1;
    if (last >= 0 && ats[last]! + counts[last]! * CONN_SIZE === at) counts[last]! += count;
    else { ats.push(at); counts.push(count); }
    if (this.wasm.endedWithBlocks() > 0) this.blocks.push({ at, count, start: this.position });
    this.position += count;
    this.writtenTo = this.position;
    this.written += count;
  }

  /** Places the next call's records (after add(), once they are counted as written). */
  next(): void {
    this.place();
  }

  /** The runs written since the last take(), to send. */
  take(): EndedRuns {
    const runs = this.runs;
    runs.releaseTo = this.writtenTo;
    this.runs = { at: [], counts: [], releaseTo: 0 };
    this.written = 0;
    return runs;
  }

  /** Every address of `runs`' records, in order. */
  static addresses(runs: Pick<EndedRuns, "at" | "counts">): number[] {
    const out: number[] = [];
    for (let r = 0; r < runs.at.length; r++) for (let k = 0; k < runs.counts[r]!; k++) out.push(runs.at[r]! + k * CONN_SIZE);
    return out;
  }

  // The next call's room: ENDED_CAPACITY records from the position, once released.
  private place(): void {
    const slot = this.position % this.records;
    if (slot + this.room > this.records) this.position += this.records - slot; // skip the tail
    const need = this.position + this.room - this.records; // every record before it must be copied
    if (need > 0 && !this.reader.released(need)) {
      this.waits++;
      if (this.runs.at.length > 0) this.beforeWait();
      this.reader.waitForRelease(need);
    }
    // Blocks of the records copied since: freed now, as their room may be written next (a run
    // partly: the rest of it may not be copied yet).
    while (this.blocks.length > 0 && this.blocks[0]!.start < need) {
      const run = this.blocks[0]!, copied = Math.min(run.count, need - run.start);
      this.wasm.freeEndedBlocks(run.at, copied);
      if (copied === run.count) { this.blocks.shift(); continue; }
      run.at += copied * CONN_SIZE;
      run.count -= copied;
      run.start += copied;
    }
    this.wasm.setEndedArea(this.base + (this.position % this.records) * CONN_SIZE);
  }
}
