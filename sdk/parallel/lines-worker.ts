// A scan worker writing lines (job.lines): it tracks its hash shard as a records worker does
// (scan-worker.ts), and then, instead of sending the connections' bytes, applies the filter and
// writes each line here (from the connection's columns), batch by batch in the canonical order (time
// ended, id), so that the main thread only merges bytes. Per connection, the record, the report
// and the serialisation were the main thread's microseconds: they now spread over the workers.

import { parentPort, receiveMessageOnPort } from "node:worker_threads";
import { GroupingTracker, type EndedGroup } from "../connections/track.js";
import { lineWriter, type LineSpec } from "../lines/line-formats.js";
import { forEachShardBatch } from "./shard-batches.js";
import { LineBytesWriter } from "./line-bytes.js";
import { UnconsumedPeak } from "./batch-ring.js";
import { FINAL_BATCH, type WorkerJob, type WorkerMessage } from "./messages.js";

const FLUSH_BATCHES = 32;
const FLUSH_LINES = 512;
const FLUSH_BYTES = 1 << 20;

export function runLines(job: WorkerJob, spec: LineSpec): void {
  const format = lineWriter(spec);
  const spares: ArrayBuffer[] = [];
  const out = new LineBytesWriter(() => {
    for (let m = receiveMessageOnPort(job.recycle); m; m = receiveMessageOnPort(job.recycle)) spares.push(m.message as ArrayBuffer);
    return spares.pop();
  });
  const grouping = new GroupingTracker({ ...job.options, shard: job.shard }, job.inPlace ? job.records.memory : undefined);
  let groups: { batch: number; count: number }[] = [];
  let batch = 0;
  const write = (g: EndedGroup) => {
    let count = 0;
    for (let k = 0; k < g.count; k++) {
      if (out.add(format, g, k)) count++;
    }
    if (count === 0) return;
    const last = groups[groups.length - 1];
    if (last && last.batch === batch) last.count += count;
    else groups.push({ batch, count });
    // A flood ends a connection per packet: a batch's lines go in pieces (batches below `batch`
    // are complete; the main thread merges this one once every worker has sent all of it).
    if (out.size >= FLUSH_BYTES) flush(batch === FINAL_BATCH ? Infinity : batch);
  };
  let sent = 0; // lines sent
  const peak = new UnconsumedPeak(job.ring, job.shard.index);
  const flush = (upTo: number) => {
    sent += out.count;
    const { buffer, length, ends, keys } = out.take();
    const message: WorkerMessage = { type: "lines", bytes: buffer, length, ends, keys, groups, upTo };
    parentPort!.postMessage(message, [buffer, ends.buffer as ArrayBuffer, keys.buffer as ArrayBuffer]);
    groups = [];
    peak.sent(sent, batch === FINAL_BATCH);
  };
  const reader = forEachShardBatch(job, () => sent, ({ packets, packetBase }) => {
    grouping.tracker.packetBase = packetBase;
    for (const g of grouping.process(packets)) write(g);
  }, (done) => {
    batch = done;
    if (out.count >= FLUSH_LINES || out.size >= FLUSH_BYTES || batch % FLUSH_BATCHES === 0) flush(batch);
  }, (done) => flush(done));
  flush(batch);
  batch = FINAL_BATCH;
  for (let done = false; !done;) {
    reader.waitForConsumer(sent);
    const next = grouping.finishSome();
    for (const g of next.groups) write(g);
    done = next.done;
    if (done || out.count >= FLUSH_LINES || out.size >= FLUSH_BYTES) flush(Infinity);
  }
  const timeline = grouping.timeline;
  const unconsumed = { scan: peak.scan, final: peak.final };
  parentPort!.postMessage({ type: "done", timeline, unconsumed } satisfies WorkerMessage);
  job.recycle.close();
}
