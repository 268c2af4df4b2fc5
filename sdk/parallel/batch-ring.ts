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
// Control words (Int32): [published, done, aborted, wake main at, main's waits, read by worker 0, read by
// worker 1, ..., consumed from worker 0, consumed from worker 1, ..., bell of worker 0, bell of
// worker 1, ..., released by worker 0's ended ring, ...].
// Batch k is in output slot k mod slots; its header [count, packetBase, latest time] is in
// `headers`.
//
// A worker waits for two things (a batch, or room among its unconsumed connections) and must
// also stop at the end of input or an abort: four words. It sleeps on one word of its own, its
// bell, which this side bumps after changing any of them: a change made between the worker's
// check and its wait then makes the wait return at once. (Waiting on the published count
// alone, the end of input set `done` unseen in that gap, and the worker slept its full second.)
// The consumed counts are int32 words, compared modulo 2^32 (unconsumed()): they may wrap.
//
// A worker whose ended records this thread reads in place (ended-ring.ts) reuses their room
// only once this side has copied them: the released word is the ring position up to which it
// has (int32, modulo 2^32 too), and the worker waits for it on its bell as for the rest.

const PUBLISHED = 0;
const DONE = 1;
const ABORTED = 2;
// The read count at which a worker wakes the main thread (NOT_WAITING: it is not waiting).
const WAKE_MAIN_AT = 3;
const NOT_WAITING = 0x7fffffff;
// How many times the main thread has waited for a free slot (slotFreed() found none).
const MAIN_WAITS = 4;
const FIRST_READER = 5;
const HEADER_BYTES = 32; // i32 count, u32 latest nanoseconds, f64 packet base, f64 latest seconds
/** Batches published and not yet read by a worker before it is woken (see publish()). */
const WAKE_AFTER = 4;
/** Free slots the main thread waits for once it waits at all (see slotFreed()). */
const WAKE_WHEN_FREE = 4;

/** Of `sent` connections, those not yet consumed, given the consumed count's int32 word. */
const unconsumed = (sent: number, consumed: number) => ((sent | 0) - consumed) | 0;
/** The index of `worker`'s bell among the control words (exported for tests). */
export const bellOf = (ring: RingBuffers, worker: number) => FIRST_READER + 2 * ring.workers + worker;
const releasedOf = (ring: RingBuffers, worker: number) => FIRST_READER + 3 * ring.workers + worker;
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
  const control = new SharedArrayBuffer((FIRST_READER + 4 * workers) * 4);
  new Int32Array(control)[WAKE_MAIN_AT] = NOT_WAITING;
  return {
    control,
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
  private waits = 0; // slotFreed() calls not yet over

  constructor(private readonly ring: RingBuffers) {
    this.control = new Int32Array(ring.control);
    this.headers = new DataView(ring.headers);
  }

  /** The output slot the next batch is to be decoded into. */
  nextSlot(): number {
    return this.published % this.ring.slots;
  }

  /** Batches published that the slowest worker has not yet read. */
  unread(): number {
    return this.published - this.readBy(this.slowestReader());
  }

  /** True once every worker has read the batch that last used nextSlot(). */
  slotFree(): boolean {
    return this.readBy(this.slowestReader()) > this.published - this.ring.slots;
  }

  /**
   * Resolves when the slowest worker has read on far enough to free WAKE_WHEN_FREE slots (or
   * after a short while anyway). Woken for each slot, as it was, the main thread decoded one
   * batch per wake while the workers were the slower: each wake costs a system call on both
   * sides, and a worker's cost is the scan's (~25 us a wake, ~1 000 wakes on 0.4 GB).
   * Says how the wait ended (for tests).
   */
  async slotFreed(timeoutMs = 50): Promise<"free" | "woken" | "timed-out"> {
    const at = FIRST_READER + this.slowestReader();
    // Said before the slowest reader's count is read: a read after that sees it and wakes this
    // side, and one before it is seen here (the wait then returns at once, or not at all).
    const want = Math.min(this.published - this.ring.slots + WAKE_WHEN_FREE, this.published);
    Atomics.store(this.control, WAKE_MAIN_AT, want);
    this.waits++;
    try {
      const seen = Atomics.load(this.control, at);
      if (this.slotFree() && seen >= want) return "free";
      Atomics.add(this.control, MAIN_WAITS, 1);
      this.ringAll(true);
      // Atomics.waitAsync is in Node 16+ and Deno, and in lib es2024.
      const wait = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<string> | string } })
        .waitAsync(this.control, at, seen, timeoutMs);
      return (wait.async ? await wait.value : wait.value) === "timed-out" ? "timed-out" : "woken";
    } finally {
      // A wait the caller stopped awaiting (a worker's message came first) may end during a later
      // one: only the last to end says nobody waits.
      if (--this.waits === 0) Atomics.store(this.control, WAKE_MAIN_AT, NOT_WAITING);
    }
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

  // Rings every worker's bell (after a change it may wait on); wakes those asleep when `wake`.
  private ringAll(wake: boolean): void {
    for (let w = 0; w < this.ring.workers; w++) {
      const bell = bellOf(this.ring, w);
      Atomics.add(this.control, bell, 1);
      if (wake) Atomics.notify(this.control, bell);
    }
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
    // is about to wait itself (slotFreed) or the input ends (close), and for the first batch: the
    // workers wait for it from their start, and a worker that is the slower thread would
    // otherwise begin WAKE_AFTER batches late (5-15 ms at full snaplen, the decoder not yet
    // optimised), which the scan's end then waits for.
    this.ringAll(this.published === 1 || this.readBy(this.slowestReader()) <= this.published - WAKE_AFTER);
  }

  /** Counts `count` connections from `worker` as consumed. */
  consumed(worker: number, count: number): void {
    Atomics.add(this.control, FIRST_READER + this.ring.workers + worker, count);
    const bell = bellOf(this.ring, worker);
    Atomics.add(this.control, bell, 1);
    Atomics.notify(this.control, bell);
  }

  /** `worker`'s ended records before ring position `position` are copied: their room may be reused. */
  released(worker: number, position: number): void {
    Atomics.store(this.control, releasedOf(this.ring, worker), position | 0);
    const bell = bellOf(this.ring, worker);
    Atomics.add(this.control, bell, 1);
    Atomics.notify(this.control, bell);
  }

  /** Stops waiting for a worker that failed (the scan is then abandoned, not blocked). */
  abandon(worker: number): void {
    Atomics.store(this.control, FIRST_READER + worker, 0x7fffffff);
    Atomics.notify(this.control, FIRST_READER + worker);
  }

  /** The input has ended: no more batches. */
  close(): void {
    Atomics.store(this.control, DONE, 1);
    this.ringAll(true);
  }

  /** The scan is over, finished or not: nobody waits for anything any more. */
  abort(): void {
    Atomics.store(this.control, ABORTED, 1); // before close() rings: a worker it wakes sees it
    this.close();
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

  /** Of `sent` connections, how many are not consumed yet. */
  left(sent: number): number {
    return unconsumed(sent, Atomics.load(this.control, this.at));
  }

  /** Call after each message: `sent` connections in all, `final` at the end of input. */
  sent(sent: number, final: boolean): void {
    const left = this.left(sent);
    if (final) this.final = Math.max(this.final, left);
    else this.scan = Math.max(this.scan, left);
  }
}

/** How long a worker waits for a batch before it sends what it holds (RingReader.next's `idle`). */
const IDLE_MS = 20;

/** A worker's side: blocks until the next batch is published or the ring is closed. */
export class RingReader {
  private readonly control: Int32Array;
  private readonly headers: DataView;
  private read = 0;
  private readonly bell: number;

  constructor(private readonly ring: RingBuffers, private readonly worker: number) {
    this.control = new Int32Array(ring.control);
    this.headers = new DataView(ring.headers);
    this.bell = bellOf(ring, worker);
  }

  /** How many calls of next() found no batch ready and waited: the decoder was the slower. */
  starved = 0;
  /** Milliseconds next() spent waiting for a batch (the clock is read only to wait). */
  waitedMs = 0;

  /** The next batch's output slot, count and packet base, or null at the end. */
  next(idle?: () => void): { slot: number; count: number; packetBase: number; latestSec: number; latestNsec: number } | null {
    // `idle` runs once the wait has lasted IDLE_MS: the input keeps still (a live capture), and
    // what the worker holds must go to the main thread now, not with the next batch.
    let idleAt = idle ? performance.now() + IDLE_MS : Infinity;
    for (let waited = false; ; waited = true) {
      const bell = Atomics.load(this.control, this.bell);
      if (Atomics.load(this.control, PUBLISHED) > this.read) break;
      if (Atomics.load(this.control, DONE)) return null;
      if (!waited) this.starved++;
      const from = performance.now();
      if (from >= idleAt) {
        idleAt = Infinity;
        idle!();
        continue; // the bell may have rung meanwhile
      }
      Atomics.wait(this.control, this.bell, bell, idleAt === Infinity ? 1000 : Math.max(1, idleAt - from));
      this.waitedMs += performance.now() - from;
    }
    const slot = this.read % this.ring.slots;
    const at = slot * HEADER_BYTES;
    return {
      slot, count: this.headers.getInt32(at, true), packetBase: this.headers.getFloat64(at + 8, true),
      latestSec: this.headers.getFloat64(at + 16, true), latestNsec: this.headers.getUint32(at + 4, true),
    };
  }

  /** Whether the input has ended (no batch is published after it). */
  inputEnded(): boolean {
    return Atomics.load(this.control, DONE) !== 0;
  }

  /** Batches read so far. */
  get batchesRead(): number {
    return this.read;
  }

  /** How many times the main thread has waited for a free slot so far. */
  mainWaits(): number {
    return Atomics.load(this.control, MAIN_WAITS);
  }

  /** Whether waitForConsumer(sent) would block now. */
  mustWait(sent: number): boolean {
    const consumed = Atomics.load(this.control, FIRST_READER + this.ring.workers + this.worker);
    return unconsumed(sent, consumed) > MAX_UNCONSUMED && !Atomics.load(this.control, ABORTED);
  }

  /**
   * Blocks while more than MAX_UNCONSUMED of the `sent` connections are not consumed yet. The
   * main thread consumes a batch only once every worker has said it is complete: a worker that
   * sent part of its current batch says so (a message with upTo) before it waits.
   */
  waitForConsumer(sent: number): void {
    const at = FIRST_READER + this.ring.workers + this.worker;
    for (;;) {
      const bell = Atomics.load(this.control, this.bell);
      if (unconsumed(sent, Atomics.load(this.control, at)) <= MAX_UNCONSUMED || Atomics.load(this.control, ABORTED)) return;
      Atomics.wait(this.control, this.bell, bell, 1000);
    }
  }

  /**
   * Blocks until the main thread has copied this worker's ended records before ring position
   * `position` (RingWriter.released), or the scan is aborted.
   */
  waitForRelease(position: number): void {
    for (;;) {
      const bell = Atomics.load(this.control, this.bell);
      if (this.released(position)) return;
      Atomics.wait(this.control, this.bell, bell, 1000);
    }
  }

  /** Whether waitForRelease(position) would return at once. */
  released(position: number): boolean {
    const released = Atomics.load(this.control, releasedOf(this.ring, this.worker));
    return ((released - position) | 0) >= 0 || Atomics.load(this.control, ABORTED) !== 0;
  }

  /** Frees the slot just returned by next(); wakes the main thread if it waits for this one. */
  release(): void {
    this.read++;
    Atomics.store(this.control, FIRST_READER + this.worker, this.read);
    if (this.read >= Atomics.load(this.control, WAKE_MAIN_AT)) Atomics.notify(this.control, FIRST_READER + this.worker);
  }
}
