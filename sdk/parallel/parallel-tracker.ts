// Tracks connections on worker threads, each owning the flows of one hash shard. This thread
// decodes the capture once and publishes every batch of packet records in a shared ring; the
// workers report the connections that end, and this thread merges them into the exact order
// one thread produces: batch by batch, then by the time each connection ended, then by id.

import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { EndedGroup } from "../connections/track.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import { decodeInputs } from "../decoder/decode-inputs.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { Timeline } from "../report/capture-report.js";
import type { ScanOptions } from "../scan.js";
import type { WorkerJob, WorkerMessage } from "./messages.js";
import { createRing, RingWriter } from "./batch-ring.js";

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
  const ring = createRing(threads);
  const writer = new RingWriter(ring);
  let failure: Error | null = null;
  let timeline: Timeline | null = null;
  let wake: (() => void) | null = null;
  let news = 0; // messages received: checked before waiting, as some arrive while we yield
  const states: WorkerState[] = [];
  for (let index = 0; index < threads; index++) {
    const job: WorkerJob = { ring, options: portable(options), shard: { index, count: threads } };
    const state: WorkerState = { worker: new Worker(workerScript(), { workerData: job }), queue: [], upTo: 0, done: false };
    state.worker.on("message", (m: WorkerMessage) => {
      if (m.type === "groups") { state.queue.push(...m.groups); state.upTo = m.upTo; }
      else if (m.type === "done") { state.done = true; if (index === 0) timeline = m.timeline; }
      else failure = Object.assign(new Error(m.message), { stack: m.stack });
      news++;
      wake?.();
    });
    state.worker.on("error", (error) => { failure = error; news++; wake?.(); });
    states.push(state);
  }

  // Everything every worker has reported complete, merged in order.
  function* ready(): Generator<EndedGroup> {
    if (failure) throw failure;
    const complete = Math.min(...states.map((s) => s.upTo));
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
  }

  try {
    for await (const { batch, packetBase } of decodeInputs(inputs, options, summaries)) {
      await writer.waitForSlot();
      writer.publish(batch.u8, batch.count, packetBase);
      yield* ready();
    }
    writer.close();
    for (;;) {
      const seen = news;
      yield* ready();
      if (states.every((s) => s.done && s.queue.length === 0)) break;
      if (news === seen) await new Promise<void>((resolve) => { wake = resolve; });
      wake = null;
    }
  } finally {
    writer.close();
    for (const s of states) await s.worker.terminate();
  }
  if (failure) throw failure;
  return timeline!;
}
