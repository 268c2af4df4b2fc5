// A worker thread of a parallel scan: decodes the whole input (the decoder is cheap) and tracks
// one shard of the flows, posting the connections that end batch by batch.

import { parentPort, workerData } from "node:worker_threads";
import { trackConnections, type EndedGroup } from "../connections/track.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import type { WorkerJob, WorkerMessage } from "./messages.js";

const FLUSH_BATCHES = 32;
const FLUSH_RECORDS = 512;

async function run(job: WorkerJob): Promise<void> {
  const summaries: CaptureSummary[] = [];
  const groups = trackConnections(job.inputs, { ...job.options, shard: job.shard }, summaries);
  let pending: EndedGroup[] = [];
  let records = 0;
  const post = (message: WorkerMessage) => parentPort!.postMessage(message);
  for (;;) {
    const next = await groups.next();
    if (next.done) {
      post({ type: "groups", groups: pending, upTo: Infinity });
      post({ type: "done", summaries, timeline: next.value });
      return;
    }
    if (next.value.records.length) {
      pending.push(next.value);
      records += next.value.records.length;
    }
    if (records >= FLUSH_RECORDS || next.value.batch % FLUSH_BATCHES === FLUSH_BATCHES - 1) {
      post({ type: "groups", groups: pending, upTo: next.value.batch + 1 });
      pending = [];
      records = 0;
    }
  }
}

run(workerData as WorkerJob).catch((error: NodeJS.ErrnoException) => {
  parentPort!.postMessage({ type: "error", message: error.message, code: error.code, path: error.path, stack: error.stack } satisfies WorkerMessage);
});
