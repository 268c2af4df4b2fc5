// The hand-over of decoded batches to the workers. The decoder writes each batch into one of
// its output slots, in a memory shared with the workers (decoder/wasm.ts), and the main thread
// publishes it here; every worker reads every batch in place (its clock must see all packets)
// and tracks only its shard of the flows. A slot is decoded into again only once every worker
// has read the batch before.
//
// The other way, a worker waits while too many of the connections it has sent are not yet
// consumed here: a SYN flood past the half-open limit ends a connection per packet, and
// without this the bytes would pile up in messages faster than records are built from them.
//
// Control words (Int32): [published, done, aborted, read by worker 0, read by worker 1, ...,
// consumed from worker 0, consumed from worker 1, ...]. Batch k is in output slot k mod slots; its
// header [count, packetBase, latest time] is in `headers`.

const PUBLISHED = 0;
const DONE = 1;
const ABORTED = 2;
const FIRST_READER = 3;
const HEADER_BYTES = 32; // i32 count, u32 latest nanoseconds, f64 packet base, f64 latest seconds
/** Batches published and not yet read by a worker before it is woken (see publish()). */
const WAKE_AFTER = 4;
/**
 * Connections a worker may have sent and not yet seen consumed (~1.4 kB each as bytes): with a
 * batch's worth more in flight, the memory a flood keeps in messages, per worker.
 */
export const MAX_UNCONSUMED = 1024;

export interface RingBuffers {
  control: SharedArrayBuffer;
  headers: SharedArrayBuffer;
  workers: number;
  slots: number;
}

export function createRing(workers: number, slots: number): RingBuffers {
  return {
    control: new SharedArrayBuffer((FIRST_READER + 2 * workers) * 4),
    headers: new SharedArrayBuffer(slots * HEADER_BYTES),
    workers,
    slots,
  };
}

/** The main thread's side. */
export class RingWriter {
  private readonly control: Int32Array;
  private readonly headers: DataView;
  private published = 0;

  constructor(private readonly ring: RingBuffers) {
    this.control = new Int32Array(ring.control);
    this.headers = new DataView(ring.headers);
  }

  /** The output slot the next batch is to be decoded into. */
  nextSlot(): number {
    return this.published % this.ring.slots;
  }

  /** True once every worker has read the batch that last used nextSlot(). */
  slotFree(): boolean {
    return this.readBy(this.slowestReader()) > this.published - this.ring.slots;
  }

  /** Resolves when the slowest worker reads on (or after a short while anyway). */
  async slotFreed(): Promise<void> {
    if (this.slotFree()) return;
    Atomics.notify(this.control, PUBLISHED);
    const at = FIRST_READER + this.slowestReader();
    // Atomics.waitAsync is in Node 16+ and Deno, and in lib es2024.
    const wait = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<unknown> } })
      .waitAsync(this.control, at, Atomics.load(this.control, at), 50);
    if (wait.async) await wait.value;
  }

  // The worker that has read the fewest batches.
  private slowestReader(): number {
    let slowest = 0;
    for (let w = 1; w < this.ring.workers; w++) if (this.readBy(w) < this.readBy(slowest)) slowest = w;
    return slowest;
  }

  private readBy(worker: number): number {
    return Atomics.load(this.control, FIRST_READER + worker);
  }

  /** Publishes the batch of `count` records just decoded into nextSlot(). */
  publish(count: number, packetBase: number, latestSec: number, latestNsec: number): void {
    const at = this.nextSlot() * HEADER_BYTES;
    this.headers.setInt32(at, count, true);
    this.headers.setUint32(at + 4, latestNsec, true);
    this.headers.setFloat64(at + 8, packetBase, true);
    this.headers.setFloat64(at + 16, latestSec, true);
    this.published++;
    Atomics.store(this.control, PUBLISHED, this.published);
    // Waking a worker is a system call on each side; a worker that keeps up (large packets) would
    // be woken for every batch. It is woken once a few are waiting for it, or when this thread
    // is about to wait itself (slotFreed) or the input ends (close).
    if (this.readBy(this.slowestReader()) <= this.published - WAKE_AFTER) Atomics.notify(this.control, PUBLISHED);
  }

  /** Counts `count` connections from `worker` as consumed. */
  consumed(worker: number, count: number): void {
    const at = FIRST_READER + this.ring.workers + worker;
    Atomics.add(this.control, at, count);
    Atomics.notify(this.control, at);
  }

  /** Stops waiting for a worker that failed (the scan is then abandoned, not blocked). */
  abandon(worker: number): void {
    Atomics.store(this.control, FIRST_READER + worker, 0x7fffffff);
    Atomics.notify(this.control, FIRST_READER + worker);
  }

  /** The input has ended: no more batches. */
  close(): void {
    Atomics.store(this.control, DONE, 1);
    Atomics.notify(this.control, PUBLISHED);
  }

  /** The scan is over, finished or not: nobody waits for anything any more. */
  abort(): void {
    this.close();
    Atomics.store(this.control, ABORTED, 1);
    for (let w = 0; w < this.ring.workers; w++) Atomics.notify(this.control, FIRST_READER + this.ring.workers + w);
  }
}

/**
 * The most connections a worker has had sent and not yet consumed (its hand-off's bound, held
 * by waitForConsumer), while the batches are tracked and at the end of input, apart: what tests
 * check the hand-off against (messages.ts, "done").
 */
export class UnconsumedPeak {
  private readonly control: Int32Array;
  private readonly at: number;
  scan = 0;
  final = 0;

  constructor(ring: RingBuffers, worker: number) {
    this.control = new Int32Array(ring.control);
    this.at = FIRST_READER + ring.workers + worker;
  }

  /** Call after each message: `sent` connections in all, `final` at the end of input. */
  sent(sent: number, final: boolean): void {
    const unconsumed = sent - Atomics.load(this.control, this.at);
    if (final) this.final = Math.max(this.final, unconsumed);
    else this.scan = Math.max(this.scan, unconsumed);
  }
}

/** A worker's side: blocks until the next batch is published or the ring is closed. */
export class RingReader {
  private readonly control: Int32Array;
  private readonly headers: DataView;
  private read = 0;

  constructor(private readonly ring: RingBuffers, private readonly worker: number) {
    this.control = new Int32Array(ring.control);
    this.headers = new DataView(ring.headers);
  }

  /** The next batch's output slot, count and packet base, or null at the end. */
  next(): { slot: number; count: number; packetBase: number; latestSec: number; latestNsec: number } | null {
    for (;;) {
      const published = Atomics.load(this.control, PUBLISHED);
      if (published > this.read) break;
      if (Atomics.load(this.control, DONE)) return null;
      Atomics.wait(this.control, PUBLISHED, published, 1000);
    }
    const slot = this.read % this.ring.slots;
    const at = slot * HEADER_BYTES;
    return {
      slot, count: this.headers.getInt32(at, true), packetBase: this.headers.getFloat64(at + 8, true),
      latestSec: this.headers.getFloat64(at + 16, true), latestNsec: this.headers.getUint32(at + 4, true),
    };
  }

  /** Whether waitForConsumer(sent) would block now. */
  mustWait(sent: number): boolean {
    const consumed = Atomics.load(this.control, FIRST_READER + this.ring.workers + this.worker);
    return sent - consumed > MAX_UNCONSUMED && !Atomics.load(this.control, ABORTED);
  }

  /**
   * Blocks while more than MAX_UNCONSUMED of the `sent` connections are not consumed yet. The
   * main thread consumes a batch only once every worker has said it is complete: a worker that
   * sent part of its current batch says so (a message with upTo) before it waits.
   */
  waitForConsumer(sent: number): void {
    const at = FIRST_READER + this.ring.workers + this.worker;
    for (;;) {
      const consumed = Atomics.load(this.control, at);
      if (sent - consumed <= MAX_UNCONSUMED || Atomics.load(this.control, ABORTED)) return;
      Atomics.wait(this.control, at, consumed, 1000);
    }
  }

  /** Frees the slot just returned by next(). */
  release(): void {
    this.read++;
    Atomics.store(this.control, FIRST_READER + this.worker, this.read);
    Atomics.notify(this.control, FIRST_READER + this.worker);
  }
}
