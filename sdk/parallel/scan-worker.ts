// A worker thread of a parallel scan: reads every decoded batch from the shared ring (its
// clock must see all packets) and tracks the flows of its hash shard, posting the connections
// that end, batch by batch.

import { parentPort, workerData } from "node:worker_threads";
import { GroupingTracker, type EndedGroup } from "../connections/track.js";
import { PacketBatch } from "../decoder/packet-batch.js";
import { RingReader, SLOT_RECORDS } from "./batch-ring.js";
import type { WorkerJob, WorkerMessage } from "./messages.js";

const FLUSH_BATCHES = 32;
const FLUSH_RECORDS = 512;

function run(job: WorkerJob): void {
  const grouping = new GroupingTracker({ ...job.options, shard: job.shard });
  const reader = new RingReader(job.ring, job.shard.index);
  const views = new Map<number, PacketBatch>(); // one view per ring slot
  let pending: EndedGroup[] = [];
  let records = 0;
  let batches = 0;
  const post = (message: WorkerMessage) => parentPort!.postMessage(message);
  const flush = (upTo: number) => {
    post({ type: "groups", groups: pending, upTo });
    pending = [];
    records = 0;
  };
  const keep = (group: EndedGroup) => {
    if (group.records.length) { pending.push(group); records += group.records.length; }
    batches = group.batch + 1;
  };
  for (let slot = reader.next(); slot; slot = reader.next()) {
    let batch = views.get(slot.recordsAt);
    if (!batch) {
      batch = new PacketBatch(job.ring.data, slot.recordsAt, SLOT_RECORDS);
      views.set(slot.recordsAt, batch);
    }
    batch.count = slot.count;
    grouping.tracker.packetBase = slot.packetBase;
    keep(grouping.process(batch));
    reader.release();
    if (records >= FLUSH_RECORDS || batches % FLUSH_BATCHES === 0) flush(batches);
  }
  for (let done = false; !done;) {
    const next = grouping.finishSome();
    done = next.done;
    keep(next.group);
    if (records >= FLUSH_RECORDS) flush(batches);
  }
  flush(Infinity);
  post({ type: "done", timeline: grouping.timeline });
}

try {
  run(workerData as WorkerJob);
} catch (error) {
  const e = error as Error;
  parentPort!.postMessage({ type: "error", message: e.message, stack: e.stack } satisfies WorkerMessage);
}
