// The ring's waits (sdk/parallel/batch-ring.ts): a worker sleeps on its bell, and everything the
// main thread changes that the worker may be waiting on rings it, so a change made between the
// worker's check and its wait ends that wait at once instead of after its one-second timeout.
// Counts of consumed connections are int32 words and may wrap on long captures. The other way,
// a worker wakes the main thread only once the slots it waits for are free.

import { describe, it, expect } from "vitest";
import { Worker } from "node:worker_threads";
import { bellOf, createRing, MAX_UNCONSUMED, RingReader, RingWriter, UnconsumedPeak } from "../../../sdk/parallel/batch-ring.js";

describe("the ring's bells", () => {
  const changes: [string, (w: RingWriter) => void][] = [
    ["publishing a batch", (w) => w.publish(1, 0, 0, 0)],
    ["consuming the worker's connections", (w) => w.consumed(1, 3)],
    ["the end of input", (w) => w.close()],
    ["an abort", (w) => w.abort()],
  ];
  for (const [what, change] of changes) {
    it(`${what} rings the worker's bell: a wait that began with the old value returns at once`, () => {
      const ring = createRing(2, 8);
      const writer = new RingWriter(ring);
      const control = new Int32Array(ring.control);
      const bell = bellOf(ring, 1);
      const before = Atomics.load(control, bell);
      expect(Atomics.wait(control, bell, before, 0)).toBe("timed-out");
      change(writer);
      expect(Atomics.wait(control, bell, before, 0)).toBe("not-equal");
    });
  }

  it("the end of input ends a worker's walk: next() gives null once every batch is read", () => {
    const ring = createRing(1, 4);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring, 0);
    writer.publish(5, 0, 1, 2);
    writer.close();
    expect(reader.next()?.count).toBe(5);
    reader.release();
    expect(reader.next()).toBeNull();
    expect(reader.starved).toBe(0); // it never waited: the batch, then the end, were there
  });
});

describe("waking a worker for a batch", () => {
  // The batches (numbered from 1) whose publish() notified the worker's bell, recorded from
  // Atomics.notify (a wake is a system call on each side), the worker having read
  // `readBefore(k)` batches when batch k + 1 is published.
  function wakingBatches(batches: number, readBefore: (k: number) => number): number[] {
    const ring = createRing(1, 8);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring, 0);
    type Notify = (array: Int32Array, index: number, count?: number) => number;
    const atomics = Atomics as unknown as { notify: Notify };
    const notify = atomics.notify;
    const woken: number[] = [];
    let rang = false;
    atomics.notify = (array, index, count) => {
      if (index === bellOf(ring, 0)) rang = true;
      return notify.call(Atomics, array, index, count);
    };
    try {
      for (let k = 0; k < batches; k++) {
        while (reader.batchesRead < readBefore(k)) { reader.next(); reader.release(); }
        rang = false;
        writer.publish(1, 0, 0, 0);
        if (rang) woken.push(k + 1);
      }
    } finally {
      atomics.notify = notify;
    }
    return woken;
  }

  it("wakes a worker for the first batch, which it has waited for since it started", () => {
    // A worker that reads nothing meanwhile: woken for batch 1, then once 4 wait unread (4 on).
    expect(wakingBatches(6, () => 0)).toEqual([1, 4, 5, 6]);
  });

  it("does not wake a worker that keeps up for each batch after the first", () => {
    // The worker has read every batch before the next is published: only the first wakes it.
    expect(wakingBatches(6, (k) => k)).toEqual([1]);
  });
});

describe("unconsumed connections", () => {
  it("are counted modulo 2^32: past 2^31 connections a worker is not held up by the wrapped word", () => {
    const ring = createRing(1, 4);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring, 0);
    const peak = new UnconsumedPeak(ring, 0);
    const consumed = 2 ** 31 + 100; // the int32 word has wrapped to a negative number
    writer.consumed(0, 2 ** 31 - 1);
    writer.consumed(0, 101);
    expect(new Int32Array(ring.control).some((v) => v < 0)).toBe(true);
    expect(reader.mustWait(consumed + 5)).toBe(false);
    expect(reader.mustWait(consumed + MAX_UNCONSUMED + 1)).toBe(true);
    reader.waitForConsumer(consumed + MAX_UNCONSUMED); // returns at once
    peak.sent(consumed + 7, false);
    expect(peak.scan).toBe(7);
  });
});

describe("a reader's waits for batches (starved, waitedMs)", () => {
  it("counts the calls of next() that found no batch ready (those that found one or the end: above), and the time waited", async () => {
    // Another thread publishes a batch after it boots and one more 50 ms later: this one waits.
    const ring = createRing(1, 4);
    const waiting = new RingReader(ring, 0);
    const script = new URL("../../../dist/sdk/parallel/batch-ring.js", import.meta.url).href;
    const publisher = new Worker(`
      const { workerData } = require("node:worker_threads");
      import(${JSON.stringify(script)}).then(({ RingWriter }) => {
        const writer = new RingWriter(workerData);
        writer.publish(1, 0, 0, 0);
        setTimeout(() => { writer.publish(7, 0, 0, 0); writer.close(); }, 50);
      });`, { eval: true, workerData: ring });
    const counts: number[] = [];
    for (let batch = waiting.next(); batch; batch = waiting.next()) {
      counts.push(batch.count);
      waiting.release();
    }
    await new Promise((resolve) => publisher.once("exit", resolve));
    expect(counts).toEqual([1, 7]);
    expect(waiting.starved).toBeGreaterThanOrEqual(1);
    // ...and the time it waited: the second batch came ~50 ms after the first.
    expect(waiting.waitedMs).toBeGreaterThan(20);
  });
});

describe("the main thread's wait for free slots", () => {
  it("is woken once four slots are free, not at each one (a wake per batch cost the worker ~25 us)", async () => {
    const ring = createRing(1, 8);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring, 0);
    for (let k = 0; k < 8; k++) writer.publish(k + 1, 0, 0, 0);
    expect(writer.slotFree()).toBe(false);
    expect(reader.mainWaits()).toBe(0);
    let outcome: string | undefined;
    const wait = writer.slotFreed(60_000).then((how) => (outcome = how));
    expect(reader.mainWaits()).toBe(1); // the worker sees that the main thread waited
    const readOne = () => {
      reader.next();
      reader.release();
    };
    for (let k = 0; k < 3; k++) readOne();
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(writer.slotFree()).toBe(true);
    expect(outcome).toBeUndefined(); // three free slots: still asleep
    readOne();
    await wait;
    expect(outcome).toBe("woken");
    // Nobody waits any more: releases wake nobody, and a wait with free slots returns at once.
    expect(await writer.slotFreed(60_000)).toBe("free");
    expect(reader.mainWaits()).toBe(1); // a call that found free slots did not wait
    expect(reader.batchesRead).toBe(4);
  });

  it("tells the worker when the input has ended", () => {
    const ring = createRing(1, 8);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring, 0);
    writer.publish(1, 0, 0, 0);
    expect(reader.inputEnded()).toBe(false);
    writer.close();
    expect(reader.inputEnded()).toBe(true);
  });

  it("a wait the caller gave up on does not stop a later one from being woken", async () => {
    const ring = createRing(1, 8);
    const writer = new RingWriter(ring);
    const reader = new RingReader(ring, 0);
    for (let k = 0; k < 8; k++) writer.publish(1, 0, 0, 0);
    const first = writer.slotFreed(20);
    const second = writer.slotFreed(60_000);
    expect(await first).toBe("timed-out");
    for (let k = 0; k < 4; k++) {
      reader.next();
      reader.release();
    }
    expect(await second).toBe("woken");
  });
});
