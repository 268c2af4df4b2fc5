// The time a two-thread scan's worker has waited for batches and not yet spent writing lines. On
// large packets the main thread's reading and decoding is the bound: the worker waited for
// batches a quarter of its time while the main thread wrote the lines of every connection
// (docs/benchmarks.md, "Threads and the record path", round 21). While its waits cover a message's lines,
// the worker writes them itself (scan-worker.ts). Its waits for the main thread to consume do
// not count: under a SYN flood, counted too, they took lines to the worker that cost more there
// than they saved (1.16x the wall time).

/**
 * Milliseconds of waiting kept at most: a long wait is not spent later, while the worker is the
 * bound. 8, not 2: on full-snaplen captures a few more messages' lines go to the worker (the 2 GB
 * and 1 GB full-snaplen short mixes 0.98x the two-thread wall; the 96-byte mix and a SYN flood
 * 1.00x and 0.99x: round 22).
 */
export const CAP_MS = 8;
/** A line's cost until one is measured (~1-2 us a line in WebAssembly, with its copies). */
const FIRST_GUESS_MS = 0.002;

export class IdleCredit {
  private ms = 0;
  private perLineMs = FIRST_GUESS_MS;

  /** The worker waited `ms` more. */
  add(ms: number): void {
    this.ms = Math.min(CAP_MS, this.ms + ms);
  }

  /** Whether the time waited and not yet spent covers writing `count` lines. */
  covers(count: number): boolean {
    return count > 0 && this.ms >= count * this.perLineMs;
  }

  /** Writing `count` lines took `ms`: spent, and the cost of a line estimated again. */
  spent(ms: number, count: number): void {
    this.ms = Math.max(0, this.ms - ms);
    // Smoothed, each sample at most 4x off the estimate (a first message's lines include setting up).
    if (count > 0) this.perLineMs += (Math.min(4 * this.perLineMs, Math.max(this.perLineMs / 4, ms / count)) - this.perLineMs) / 4;
  }

  /** The estimated cost of a line, in milliseconds (for tests). */
  get lineMs(): number {
    return this.perLineMs;
  }
}
