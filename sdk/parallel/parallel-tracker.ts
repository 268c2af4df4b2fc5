// Tracks connections on worker threads, each owning the flows of one hash shard. This thread
// decodes the capture once and publishes every batch of packet records in a shared ring; the
// workers send the connections that end as bytes, and this thread builds their records and
// merges them into the exact order one thread produces: batch by batch, then by the time each
// connection ended, then by id; the connections open at the end of input by id.

import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { byEndThenId, FINISH_GROUP, type Ended, type EndedGroup } from "../connections/track.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import { decodeInputs } from "../decoder/decode-inputs.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { Timeline } from "../report/capture-report.js";
import type { ScanOptions } from "../scan.js";
import { FINAL_BATCH, type WorkerJob, type WorkerMessage } from "./messages.js";
import { createRing, RingWriter } from "./batch-ring.js";
import { endedRecords } from "./ended-bytes.js";
import { ConnectionStore } from "../connections/connection-store.js";
import { unpackConnection } from "../connections/unpack-connection.js";
import { buildConnectionRecord, type ConnectionRecord } from "../connections/connection-record.js";

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

interface WorkerState {
  worker: Worker;
  /** Connections that ended during decoded batches, by batch, in the order received. */
  queue: { batch: number; ended: Ended[] }[];
  /** Connections still open at the end of input, in id order. */
  final: ConnectionRecord[];
  upTo: number;
  done: boolean;
}

const YIELD_EVERY = 8; // batches
// A worker's JavaScript allocates little (its tracker lives in WebAssembly memory): a small
// young generation keeps its heap from growing to V8's defaults.
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

export async function* trackInWorkers(
  inputs: CaptureInput[], options: ScanOptions, threads: number, summaries: CaptureSummary[],
): AsyncGenerator<EndedGroup, Timeline> {
  const ring = createRing(threads);
  const writer = new RingWriter(ring);
  const scratch = new ConnectionStore(1);
  let failure: Error | null = null;
  let timeline: Timeline | null = null;
  let wake: (() => void) | null = null;
  let news = 0; // messages received: checked before waiting, as some arrive while we yield
  let nextBatch = 0; // the batch number the next group yielded carries
  const states: WorkerState[] = [];

  // Records are built here, from the bytes the workers send.
  const receive = (state: WorkerState, m: Extract<WorkerMessage, { type: "ended" }>) => {
    const view = new DataView(m.bytes), bytes = new Uint8Array(m.bytes);
    const offsets = endedRecords(view, 0, m.groups.reduce((n, g) => n + g.count, 0));
    for (const g of m.groups) {
      const ended: Ended[] = [];
      for (let k = 0; k < g.count; k++) {
        const at = offsets.next().value as number;
        unpackConnection(view, bytes, at, scratch, 0);
        const record = buildConnectionRecord(scratch, 0);
        if (g.batch === FINAL_BATCH) state.final.push(record);
        else ended.push({ at: scratch.removedAt[0]!, record });
      }
      if (g.batch !== FINAL_BATCH) state.queue.push({ batch: g.batch, ended });
    }
    state.upTo = m.upTo;
  };

  for (let index = 0; index < threads; index++) {
    const job: WorkerJob = { ring, options: portable(options), shard: { index, count: threads } };
    const state: WorkerState = { worker: new Worker(workerScript(), { workerData: job, resourceLimits: WORKER_LIMITS }), queue: [], final: [], upTo: 0, done: false };
    state.worker.on("message", (m: WorkerMessage) => {
      if (m.type === "ended") receive(state, m);
      else if (m.type === "done") { state.done = true; if (index === 0) timeline = m.timeline; }
      else failure = Object.assign(new Error(m.message), { stack: m.stack });
      news++;
      wake?.();
    });
    state.worker.on("error", (error) => { failure = error; news++; wake?.(); });
    states.push(state);
  }

  // Everything every worker has reported complete, merged in order: batch by batch, then the
  // connections open at the end, by id across the workers.
  function* ready(): Generator<EndedGroup> {
    if (failure) throw failure;
    const complete = Math.min(...states.map((s) => s.upTo));
    const batches = new Set<number>();
    for (const s of states) for (const g of s.queue) if (g.batch < complete) batches.add(g.batch);
    for (const batch of [...batches].sort((a, b) => a - b)) {
      const merged: Ended[] = [];
      for (const s of states) {
        while (s.queue.length && s.queue[0]!.batch === batch) merged.push(...s.queue.shift()!.ended);
      }
      merged.sort(byEndThenId);
      nextBatch = batch + 1;
      yield { batch, records: merged.map((m) => m.record), ends: merged.map((m) => m.at) };
    }
    if (complete !== Infinity) return;
    // A record can go once every worker still sending has one queued to compare it with.
    const group: ConnectionRecord[] = [];
    for (;;) {
      let best: WorkerState | null = null;
      let blocked = false;
      for (const s of states) {
        if (s.final.length === 0) { if (!s.done) blocked = true; continue; }
        if (!best || s.final[0]!.id < best.final[0]!.id) best = s;
      }
      if (blocked || !best) break;
      group.push(best.final.shift()!);
      if (group.length === FINISH_GROUP) yield { batch: nextBatch++, records: group.splice(0), ends: Array(FINISH_GROUP).fill(Infinity) };
    }
    if (group.length) yield { batch: nextBatch++, records: group, ends: group.map(() => Infinity) };
  }

  try {
    let published = 0;
    for await (const { batch, packetBase } of decodeInputs(inputs, options, summaries)) {
      await writer.waitForSlot();
      writer.publish(batch.u8, batch.count, packetBase);
      // Reading and decoding never wait for the event loop: let the workers' messages in now
      // and then, or they queue up (unread bytes) for as long as the ring has room.
      if (++published % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      yield* ready();
    }
    writer.close();
    for (;;) {
      const seen = news;
      yield* ready();
      if (states.every((s) => s.done && s.queue.length === 0 && s.final.length === 0)) break;
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
