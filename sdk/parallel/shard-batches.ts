// A scan worker's walk over the decoded batches (batch-ring.ts): every batch, in order, as a
// PacketBatch over the decoder's shared memory, waiting first while too much of what this worker
// sent is not yet consumed. Both kinds of worker (scan-worker.ts, lines-worker.ts) track this way.

import { PacketBatch } from "../decoder/packet-batch.js";
import { RingReader } from "./batch-ring.js";
import type { WorkerJob } from "./messages.js";
import { touchLines } from "./touch-lines.js";
import { RECORD_SIZE } from "../../assembly/layout.js";

/** One decoded batch: its packets and the packet number its first one has. */
export interface ShardBatch {
  packets: PacketBatch;
  packetBase: number;
}

/**
 * Calls `track` with each batch (then frees its slot) and `after(batchesDone)` once it is
 * freed; `sent()` is how many connections this worker has sent so far. Before it must wait for
 * the consumer, it calls `beforeWait(batchesDone)`, so the worker can report its batch boundary
 * and the main thread can consume what it sent; `idle(batchesDone)`, when a wait for the next
 * batch lasts (the input keeps still). Returns the reader (`reader`: this worker's, by default a
 * new one), for the end of input (waitForConsumer).
 */
export function forEachShardBatch(
  job: WorkerJob, sent: () => number, track: (batch: ShardBatch) => void, after: (batchesDone: number) => void,
  beforeWait: (batchesDone: number) => void, reader = new RingReader(job.ring, job.shard.index),
  idle?: (batchesDone: number) => void,
): RingReader {
  const { memory, outputAt, slotRecords, extras } = job.records;
  const views: PacketBatch[] = []; // one per output slot
  let done = 0;
  // A wait for the next batch that lasts (the input keeps still) reports what is done so far.
  const onIdle = idle && (() => idle(done));
  for (let slot = reader.next(onIdle); slot; slot = reader.next(onIdle)) {
    if (reader.mustWait(sent())) beforeWait(done);
    reader.waitForConsumer(sent());
    const packets = views[slot.slot] ??= PacketBatch.ofSlot(memory.buffer, outputAt, slotRecords, slot.slot, extras);
    packets.count = slot.count;
    packets.latestSec = slot.latestSec;
    packets.latestNsec = slot.latestNsec;
    // Tracked where the main thread's decoder wrote them: fetched into this core's cache first.
    if (job.inPlace) touchLines(packets.u8, slot.count * RECORD_SIZE);
    track({ packets, packetBase: slot.packetBase });
    reader.release();
    after(++done);
  }
  return reader;
}
