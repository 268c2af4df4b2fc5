// A worker thread of a parallel scan: reads every decoded batch in place, in the decoder's
// shared memory (its clock must see all packets), tracks the flows of its hash shard with the
// WebAssembly tracker (the first worker's tracker lives in that memory; the others copy each batch),
// and sends the connections that end, as bytes, batch by batch; at the end of input, the
// connections still open, in id order. A job with `lines` runs lines-worker.ts instead. A
// program that registers line formats of its own (sdk/lines/line-formats.ts) ships a worker
// script that imports them before this one (the command's: cli/scan-worker.ts).

import { parentPort, receiveMessageOnPort } from "node:worker_threads";
import { WasmConnectionTracker } from "../connections/wasm-tracker.js";
import { forEachShardBatch } from "./shard-batches.js";
import { EndedBytesWriter } from "./ended-bytes.js";
import { FINAL_BATCH, type WorkerJob, type WorkerMessage } from "./messages.js";
import { runLines } from "./lines-worker.js";
import { UnconsumedPeak } from "./batch-ring.js";

const FLUSH_BATCHES = 32;
// A message holds at most this many connections (~1.4 kB each): a flood ends one per packet, and
// a batch's 4 096 sent at once went out in 6-8 MB buffers, doubled as they filled, per worker.
const FLUSH_RECORDS = 512;
const FINISH_STEP = FLUSH_RECORDS;

function run(job: WorkerJob): void {
  // Buffers the main thread has given back (this thread never returns to its event loop: they
  // are taken from the port as needed).
  const spares: ArrayBuffer[] = [];
  const out = new EndedBytesWriter(() => {
    for (let m = receiveMessageOnPort(job.recycle); m; m = receiveMessageOnPort(job.recycle)) spares.push(m.message as ArrayBuffer);
    return spares.pop();
  });
  let groups: { batch: number; count: number }[] = [];
  let batch = 0;
  const tracker = new WasmConnectionTracker({ ...job.options, shard: job.shard }, null, (bytes, view, at) => {
    out.add(bytes, view, at);
    const last = groups[groups.length - 1];
    if (last && last.batch === batch) last.count++;
    else groups.push({ batch, count: 1 });
    // Batches below `batch` are complete; the main thread merges this one once all of it came.
    if (out.count >= FLUSH_RECORDS) flush(batch === FINAL_BATCH ? Infinity : batch);
  }, job.inPlace ? job.records.memory : undefined);
  const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);
  let sent = 0; // connections sent
  const peak = new UnconsumedPeak(job.ring, job.shard.index);
  const flush = (upTo: number) => {
    sent += out.count;
    const { buffer, length } = out.take();
    post({ type: "ended", bytes: buffer, length, groups, upTo }, [buffer]);
    groups = [];
    peak.sent(sent, batch === FINAL_BATCH);
  };
  const reader = forEachShardBatch(job, () => sent, ({ packets, packetBase }) => {
    tracker.packetBase = packetBase;
    if (job.inPlace) tracker.processInPlace(packets.u8.byteOffset, packets.count, packets.latestSec, packets.latestNsec, packets.tunnels!.byteOffset);
    else tracker.processBatch(packets);
  }, (done) => {
    batch = done;
    if (out.count >= FLUSH_RECORDS || batch % FLUSH_BATCHES === 0) flush(batch);
  }, (done) => flush(done));
  flush(batch);
  batch = FINAL_BATCH;
  for (let done = false; !done;) {
    reader.waitForConsumer(sent);
    done = tracker.finish(FINISH_STEP);
    if (out.count > 0 || done) flush(Infinity);
  }
  const unconsumed = { scan: peak.scan, final: peak.final };
  post({ type: "done", timeline: { maxGapSec: tracker.maxGapSec, backwardsSteps: tracker.backwardsSteps }, unconsumed });
  job.recycle.close();
}

// Started ahead of need (worker-pool.ts): the job comes as the first message.
parentPort!.once("message", (job: WorkerJob) => {
  try {
    if (job.lines) runLines(job, job.lines);
    else run(job);
  } catch (error) {
    const e = error as Error;
    parentPort!.postMessage({ type: "error", message: e.message, stack: e.stack } satisfies WorkerMessage);
  }
});
