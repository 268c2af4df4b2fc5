// A ring of decoded batches in shared memory: the main thread decodes once and publishes each
// batch of packet records; every worker reads every batch (its clock must see all packets)
// and tracks only its shard of the flows. Slot reuse waits until all workers have read it.
//
// Control words (Int32): [published, done, read by worker 0, read by worker 1, ...].
// Slot s holds batch s mod SLOTS: [count, packetBase (f64 as two words)] then the records.

import * as L from "../../assembly/layout.js";

export const SLOTS = 8;
export const SLOT_RECORDS = 4096;
const SLOT_HEADER = 16;
const SLOT_BYTES = SLOT_HEADER + SLOT_RECORDS * L.RECORD_SIZE;
const PUBLISHED = 0;
const DONE = 1;
const FIRST_READER = 2;

export interface RingBuffers { control: SharedArrayBuffer; data: SharedArrayBuffer; workers: number }

export function createRing(workers: number): RingBuffers {
  return {
    control: new SharedArrayBuffer((FIRST_READER + workers) * 4),
    data: new SharedArrayBuffer(SLOTS * SLOT_BYTES),
    workers,
  };
}

/** The main thread's side. */
export class RingWriter {
  private readonly control: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private published = 0;

  constructor(private readonly ring: RingBuffers) {
    this.control = new Int32Array(ring.control);
    this.bytes = new Uint8Array(ring.data);
    this.view = new DataView(ring.data);
  }

  /** Resolves once every worker has read the batch that last used the next slot. */
  async waitForSlot(): Promise<void> {
    const needed = this.published - SLOTS + 1; // every reader must have read up to here
    for (let w = 0; w < this.ring.workers; w++) {
      for (;;) {
        const read = Atomics.load(this.control, FIRST_READER + w);
        if (read >= needed) break;
        // Atomics.waitAsync is in Node 16+ and Deno, and in lib es2024.
        const wait = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<unknown> } }).waitAsync(this.control, FIRST_READER + w, read);
        if (wait.async) await wait.value;
      }
    }
  }

  /** Copies `count` records into the next slot and publishes it. Call waitForSlot() first. */
  publish(records: Uint8Array, count: number, packetBase: number): void {
    const at = (this.published % SLOTS) * SLOT_BYTES;
    this.view.setInt32(at, count, true);
    this.view.setFloat64(at + 8, packetBase, true);
    this.bytes.set(records.subarray(0, count * L.RECORD_SIZE), at + SLOT_HEADER);
    this.published++;
    Atomics.store(this.control, PUBLISHED, this.published);
    Atomics.notify(this.control, PUBLISHED);
  }

  close(): void {
    Atomics.store(this.control, DONE, 1);
    Atomics.notify(this.control, PUBLISHED);
  }
}

/** A worker's side: blocks until the next batch is published or the ring is closed. */
export class RingReader {
  private readonly control: Int32Array;
  private readonly view: DataView;
  private read = 0;

  constructor(ring: RingBuffers, private readonly worker: number) {
    this.control = new Int32Array(ring.control);
    this.view = new DataView(ring.data);
  }

  /** The slot's byte offset of records, count and packet base, or null at the end. */
  next(): { recordsAt: number; count: number; packetBase: number } | null {
    for (;;) {
      const published = Atomics.load(this.control, PUBLISHED);
      if (published > this.read) break;
      if (Atomics.load(this.control, DONE)) return null;
      Atomics.wait(this.control, PUBLISHED, published, 1000);
    }
    const at = (this.read % SLOTS) * SLOT_BYTES;
    return { recordsAt: at + SLOT_HEADER, count: this.view.getInt32(at, true), packetBase: this.view.getFloat64(at + 8, true) };
  }

  /** Frees the slot just returned by next(). */
  release(): void {
    this.read++;
    Atomics.store(this.control, FIRST_READER + this.worker, this.read);
    Atomics.notify(this.control, FIRST_READER + this.worker);
  }
}
