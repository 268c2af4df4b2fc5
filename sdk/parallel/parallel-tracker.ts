// Tracks connections on several worker threads, each owning the flows of one hash shard, and
// merges what they report into the exact order one thread produces: batch by batch (every
// worker decodes the same batches), then by the time each connection ended, then by id.

import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { EndedGroup } from "../connections/track.js";
import { trackConnections } from "../connections/track.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { Timeline } from "../report/capture-report.js";
import type { ScanOptions } from "../scan.js";
import type { WorkerJob, WorkerMessage } from "./messages.js";

// The compiled worker script; when this module runs from source (tests), the built one.
function workerScript(): URL {
  const beside = new URL("./scan-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL("../../dist/sdk/parallel/scan-worker.js", import.meta.url);
}

/** Options a worker can receive: plain data only (no callbacks). */
function portable(options: ScanOptions): ScanOptions {
  const { onProgress: _progress, ...rest } = options;
  return rest;
}

interface WorkerState { worker: Worker; queue: EndedGroup[]; upTo: number; done: boolean }

export async function* trackInWorkers(
  inputs: CaptureInput[], options: ScanOptions, threads: number, summaries: CaptureSummary[],
): AsyncGenerator<EndedGroup, Timeline> {
  // Streams cannot be shared between threads: those inputs are tracked here.
  if (!inputs.every((i) => typeof i === "string" && i !== "-" || i instanceof Uint8Array)) {
    return yield* trackConnections(inputs, options, summaries);
  }
  let wake: (() => void) | null = null;
  let news = 0; // messages received: checked before waiting, as some arrive while we yield
  let failure: (Error & { code?: string; path?: string }) | null = null;
  let timeline: Timeline | null = null;
  const states: WorkerState[] = [];
  for (let index = 0; index < threads; index++) {
    const job: WorkerJob = { inputs: inputs as (string | Uint8Array)[], options: portable(options), shard: { index, count: threads } };
    const state: WorkerState = { worker: new Worker(workerScript(), { workerData: job }), queue: [], upTo: 0, done: false };
    state.worker.on("message", (m: WorkerMessage) => {
      if (m.type === "groups") { state.queue.push(...m.groups); state.upTo = m.upTo; }
      else if (m.type === "done") {
        state.done = true;
        if (index === 0) { summaries.push(...m.summaries); timeline = m.timeline; }
      } else {
        failure = Object.assign(new Error(m.message), { code: m.code, path: m.path });
      }
      news++;
      wake?.();
    });
    state.worker.on("error", (error) => { failure = error; news++; wake?.(); });
    states.push(state);
  }
  try {
    for (;;) {
      const seen = news;
      if (failure) throw failure;
      const complete = Math.min(...states.map((s) => s.upTo));
      // Every batch below `complete` is in: merge them in order.
      const batches = new Set<number>();
      for (const s of states) for (const g of s.queue) if (g.batch < complete) batches.add(g.batch);
      for (const batch of [...batches].sort((a, b) => a - b)) {
        const merged: { at: number; record: EndedGroup["records"][number] }[] = [];
        for (const s of states) {
          while (s.queue.length && s.queue[0]!.batch === batch) {
            const g = s.queue.shift()!;
            g.records.forEach((record, k) => merged.push({ at: g.ends[k]!, record }));
          }
        }
        merged.sort((a, b) => a.at - b.at || a.record.id - b.record.id);
        yield { batch, records: merged.map((m) => m.record), ends: merged.map((m) => m.at) };
      }
      if (states.every((s) => s.done) && states.every((s) => s.queue.length === 0)) break;
      if (news === seen) await new Promise<void>((resolve) => { wake = resolve; });
      wake = null;
    }
  } finally {
    for (const s of states) await s.worker.terminate();
  }
  return timeline!;
}
