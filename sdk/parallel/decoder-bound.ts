// Whether a two-thread scan's main thread (reading, decoding and the lines) is the bound, as its
// worker sees it from the batch ring: the main thread has not waited for a free slot while the
// worker read its last WINDOW batches. The worker then writes a message's lines itself
// (scan-worker.ts); writing them, it reads on more slowly until the main thread waits again, and
// the rule stops: the lines are shared out so that neither thread waits for the other. On the
// 96-byte short mix, where the worker is the bound, the main thread waits every ~4 batches and
// the rule rarely holds (docs/benchmarks.md, "Threads and the record path", round 22 tail).

/** Batches (one ring's worth) the worker must have read since the main thread last waited. */
export const WINDOW = 8;

export class DecoderBound {
  private waits = 0; // the main thread's waits seen at the last look
  private waitedAt = 0; // the batches read when a new wait was last seen

  /**
   * Whether the main thread is the bound: `waits` its waits for a free slot so far, `read` the
   * batches this worker has read, `ended` once the input has ended (the main thread then only
   * merges, and the rule stops).
   */
  holds(waits: number, read: number, ended: boolean): boolean {
    if (waits !== this.waits) {
      this.waits = waits;
      this.waitedAt = read;
    }
    return !ended && read - this.waitedAt >= WINDOW;
  }
}
