// A worker's walk over the ring (sdk/parallel/shard-batches.ts): every published batch in order,
// as a view over its output slot (one view per slot, reused), with its header; `after` once each
// batch's slot is freed; and the end of input ends the walk. Run on one thread: the writer
// publishes the next batch from inside the walk.

import { describe, it, expect } from "vitest";
import { createRing, RingWriter } from "../../../sdk/parallel/batch-ring.js";
import { forEachShardBatch } from "../../../sdk/parallel/shard-batches.js";
import { RECORD_SIZE } from "../../../assembly/layout.js";
import type { WorkerJob } from "../../../sdk/parallel/messages.js";
import type { PacketBatch } from "../../../sdk/decoder/packet-batch.js";

describe("forEachShardBatch", () => {
  it("gives every batch in order over its slot, frees each before `after`, and ends with the input", () => {
    const slotRecords = 4;
    const ring = createRing(1, 2);
    const writer = new RingWriter(ring);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const job = { ring, records: { memory, outputAt: 64, slotRecords }, shard: { index: 0, count: 1 } } as unknown as WorkerJob;
    const publish = (k: number) => writer.publish(k + 1, 100 * k, 1000 + k, 7 * k);
    const seen: { count: number; packetBase: number; sec: number; nsec: number; offset: number; view: PacketBatch }[] = [];
    const freed: number[] = [];
    const batches = 5;
    publish(0);
    forEachShardBatch(job, () => 0, ({ packets, packetBase }) => {
      seen.push({ count: packets.count, packetBase, sec: packets.latestSec, nsec: packets.latestNsec, offset: packets.u8.byteOffset, view: packets });
      const next = seen.length;
      if (next < batches) {
        expect(writer.nextSlot()).toBe(next % 2);
        publish(next);
      } else writer.close();
    }, (done) => {
      freed.push(done);
      expect(writer.slotFree()).toBe(true); // the slot just read can be decoded into again
    }, () => { throw new Error("nothing was sent, so the walk never waits for the consumer"); });
    expect(seen.map((s) => [s.count, s.packetBase, s.sec, s.nsec])).toEqual([0, 1, 2, 3, 4].map((k) => [k + 1, 100 * k, 1000 + k, 7 * k]));
    expect(seen.map((s) => s.offset)).toEqual([0, 1, 0, 1, 0].map((slot) => 64 + slot * slotRecords * RECORD_SIZE));
    expect(seen[2]!.view).toBe(seen[0]!.view);
    expect(seen[1]!.view).not.toBe(seen[0]!.view);
    expect(freed).toEqual([1, 2, 3, 4, 5]);
  });
});
