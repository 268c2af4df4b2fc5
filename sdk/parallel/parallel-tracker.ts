// Tracks connections on worker threads, each owning the flows of one hash shard. This thread
// decodes the capture once, into output slots the workers read in place (batch-ring.ts; the
// first worker's tracker even lives in that memory and tracks them there, with no copy); the
// workers send the connections that end as bytes (this thread builds their records) or as the
// lines they wrote (this thread copies them), merged into the exact order one thread produces:
// batch by batch, then by the time each connection ended, then by id; the connections open at
// the end of input by id.

import { MessageChannel, type MessagePort, type Worker } from "node:worker_threads";
import { byEndThenId, FINISH_GROUP, type EndedGroup } from "../connections/track.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import { decodeInputs } from "../decoder/decode-inputs.js";
import type { CaptureInput } from "../decoder/capture-input.js";
import type { Timeline } from "../report/capture-report.js";
import type { ScanOptions } from "../scan.js";
import { FINAL_BATCH, type DecodedRecords, type HandOffPeak, type WorkerJob, type WorkerMessage } from "./messages.js";
import { instantiateDecoder } from "../decoder/wasm.js";
import { TRACKER_MEMORY_BASE, acquireScanMemory, releaseScanMemory } from "../wasm-memory.js";
import { createRing, RingWriter } from "./batch-ring.js";
import { takeScanWorker } from "./worker-pool.js";
import { halfOpenLimit, connectionLimit } from "../connections/tracker.js";
import { abortable } from "../abort.js";
import { lineFormatRegistration, lineWriter, type LineSpec } from "../lines/line-formats.js";
import type { WasmLineFormat } from "../lines/wasm-lines.js";
import { EndedLineRuns } from "./ended-line-runs.js";
import type { Received, Run, RunItem, RunKind } from "./merge-runs.js";
import { RecordRuns } from "./record-runs.js";

/** Options a worker can receive: plain data only (no callbacks). */
function portable(options: ScanOptions): ScanOptions {
  const { onProgress: _progress, signal: _signal, ...rest } = options;
  // Validated here first. Each worker applies the whole limits to the virtual shards it tracks
  // (each shard its share: tracker-options.ts), as one thread does to all of them.
  halfOpenLimit(options);
  connectionLimit(options);
  return rest;
}

interface WorkerState<D> {
  index: number;
  worker: Worker;
  recycle: MessagePort;
  /** Runs of connections that ended during decoded batches, by batch, in the order received. */
  queue: (Run<D> & { batch: number })[];
  /** Runs of connections still open at the end of input, in id order. */
  final: Run<D>[];
  upTo: number;
  done: boolean;
}

const YIELD_EVERY = 8; // batches
/**
 * Output slots the ring cycles through (of the decoder's 32): each is 4 160 records of 128 bytes
 * (0.5 MB) touched once used, so all 32 cost 17 MB of resident memory; a few batches of slack
 * keep the decoder and the workers apart as well.
 */
export const RING_SLOTS = 8;

const idOf = <D>(run: Run<D>, k: number) => run.keys[2 * k + 1]!;
const endOf = <D>(run: Run<D>, k: number) => run.keys[2 * k]!;

/**
 * The connections' records, in the canonical order; `threads` workers track the flows. Once
 * the run is over, `handOff` (if given) holds the most connections any worker had sent and not
 * yet seen consumed.
 */
export function trackInWorkers(
  inputs: CaptureInput[], options: ScanOptions, threads: number, summaries: CaptureSummary[], handOff?: HandOffPeak,
): AsyncGenerator<EndedGroup, Timeline> {
  return runWorkers(inputs, options, threads, summaries, new RecordRuns(), {}, handOff);
}

/**
 * The connections as lines of `lines`' format, in the canonical order, as byte chunks: each of
 * the `threads` workers tracks its flows and builds, filters and writes their lines itself
 * (in WebAssembly with `wasmLines`, the writer of `lines`' format), when its script has this
 * thread's registration of the format; else it sends their bytes and this thread writes them
 * (ended-line-runs.ts). `handOff` as for trackInWorkers; with `reuse`, each chunk is written over
 * by the next (line-runs.ts, ChunkBuffer).
 */
export function linesInWorkers(
  inputs: CaptureInput[], options: ScanOptions, threads: number, summaries: CaptureSummary[], lines: LineSpec,
  { handOff, wasmLines, reuse }: { handOff?: HandOffPeak; wasmLines?: WasmLineFormat; reuse?: boolean } = {},
): AsyncGenerator<Uint8Array, Timeline> {
  const kind = new EndedLineRuns(wasmLines, lineWriter(lines), reuse, handOff);
  return runWorkers(inputs, options, threads, summaries, kind, jobLines(lines, { wasmLines }), handOff);
}

type LineJob = Pick<WorkerJob, "lines" | "linesRegistration" | "wasmLines" | "linesWhenBehind" | "endedInPlace">;

/** What a job says about lines: their spec, with this thread's registration of their format. */
function jobLines(lines: LineSpec, more: Pick<WorkerJob, "wasmLines" | "linesWhenBehind" | "endedInPlace">): LineJob {
  return { lines, linesRegistration: lineFormatRegistration(lines.format), ...more };
}

/**
 * A message goes as lines written by the worker once this many connections it sent before wait
 * for this thread (a whole message's worth: this thread is then the busier of the two).
 */
export const LINES_WHEN_BEHIND = 512;

/**
 * Lines of `lines` (unfiltered) in the canonical order, as byte chunks: the `threads` workers
 * track and send their connections' bytes, and this thread writes their lines in WebAssembly
 * with `wasmLines`, the writer of that format (ended-line-runs.ts; the format's JS writer writes
 * those it declines); while this thread is behind by `behind` connections, the workers write
 * them (tests set 0: always, or Infinity: never). `handOff` as for trackInWorkers; with `reuse`,
 * each chunk is written over by the next (line-runs.ts, ChunkBuffer), as in linesInWorkers.
 */
export function wasmLinesFromWorkers(
  inputs: CaptureInput[], options: ScanOptions, threads: number, summaries: CaptureSummary[], lines: LineSpec,
  wasmLines: WasmLineFormat,
  { behind = LINES_WHEN_BEHIND, handOff, reuse }: { behind?: number; handOff?: HandOffPeak; reuse?: boolean } = {},
): AsyncGenerator<Uint8Array, Timeline> {
  const kind = new EndedLineRuns(wasmLines, lineWriter(lines), reuse, handOff);
  const job = jobLines(lines, { wasmLines, linesWhenBehind: behind, endedInPlace: true });
  return runWorkers(inputs, options, threads, summaries, kind, job, handOff);
}

async function* runWorkers<D, T>(
  inputs: CaptureInput[], options: ScanOptions, threads: number, summaries: CaptureSummary[], kind: RunKind<D, T>,
  lineJob: LineJob, handOff?: HandOffPeak,
): AsyncGenerator<T, Timeline> {
  const signal = options.signal;
  // The decoders of every input run on one memory the workers read the records from.
  const memory = acquireScanMemory();
  const layout = await instantiateDecoder(memory); // grows the memory; tells where the slots are
  const records: DecodedRecords = {
    memory, outputAt: layout.outputPtr(), slotRecords: layout.recordCapacity(),
    extras: { fileOffsetsAt: layout.fileOffsetsPtr(), tunnelsAt: layout.tunnelsPtr() },
  };
  const ring = createRing(threads, Math.min(RING_SLOTS, layout.outputSlots()));
  const writer = new RingWriter(ring);
  const placement = { memory, outputSlot: () => writer.nextSlot(), fill: true };
  let failure: Error | null = null;
  let timeline: Timeline | null = null;
  let wake: (() => void) | null = null;
  let news = 0; // messages received: checked before waiting, as some arrive while we yield
  let over = false; // the scan has ended (finished, failed or left early)
  const states: WorkerState<D>[] = [];

  // What the workers send waits as they sent it, until merged and handed on.
  // A message in place ("ended-in-place") has no buffer: its records are released in the
  // worker's ended ring once copied, which receive() does at once.
  const receive = (state: WorkerState<D>, m: Extract<WorkerMessage, { type: "ended" | "lines" | "ended-in-place" }>) => {
    if (over) return; // the scan has ended: a worker's ring may be written over by now
    const buffer = m.type === "ended-in-place" ? null : m.bytes;
    const message: Received = { buffer, left: 0, giveBack: () => { if (buffer && !state.done) state.recycle.postMessage(buffer, [buffer]); } };
    for (const { batch, run } of kind.receive(m, message, memory)) {
      if (batch === FINAL_BATCH) state.final.push(run);
      else state.queue.push({ ...run, batch });
    }
    if (message.left === 0) message.giveBack();
    if (m.type !== "ended" && m.releaseTo !== undefined) writer.released(state.index, m.releaseTo);
    state.upTo = m.upTo;
  };

  for (let index = 0; index < threads; index++) {
    const recycle = new MessageChannel();
    const job: WorkerJob = {
      ring, recycle: recycle.port2, records, options: portable(options), shard: { index, count: threads },
      inPlace: index === 0 && layout.memoryEnd() <= TRACKER_MEMORY_BASE, ...lineJob,
    };
    const state: WorkerState<D> = { index, worker: takeScanWorker(threads), recycle: recycle.port1, queue: [], final: [], upTo: 0, done: false };
    // A worker that fails stops reading: without abandon() this thread would wait for it
    // forever, and with nothing else left to run, the process would exit as if all went well.
    const fail = (error: Error) => {
      failure ??= error;
      writer.abandon(index);
      news++;
      wake?.();
    };
    state.worker.on("message", (m: WorkerMessage) => {
      if (m.type === "ended" || m.type === "lines" || m.type === "ended-in-place") receive(state, m);
      else if (m.type === "done") {
        state.done = true;
        if (index === 0) timeline = m.timeline;
        if (handOff) {
          handOff.scan = Math.max(handOff.scan, m.unconsumed.scan);
          handOff.final = Math.max(handOff.final, m.unconsumed.final);
          handOff.spares = Math.max(handOff.spares ?? 0, m.unconsumed.spares ?? 0);
        }
      }
      else return fail(Object.assign(new Error(m.message), { stack: m.stack }));
      news++;
      wake?.();
    });
    state.worker.on("error", fail);
    state.worker.on("exit", (code) => {
      if (!state.done) fail(new Error(`scan worker ${index} exited (code ${code}) before the end of input`));
    });
    state.worker.postMessage(job, [recycle.port2]);
    states.push(state);
  }

  // A value handed to the caller. While the caller holds it (at the yield) the workers do not
  // keep the process alive: a caller that stops iterating and drops the scan without closing it
  // lets the process end, as at one thread, instead of it waiting forever on idle workers.
  function* hand(value: T): Generator<T> {
    for (const s of states) s.worker.unref();
    try {
      yield value;
    } finally {
      for (const s of states) s.worker.ref();
    }
  }

  // What the workers sent so far, handed on (handOn). Called after every batch: it depends only
  // on the messages, so it returns at once when none came since its last complete run.
  let readyAt = -1;
  function* ready(): Generator<T> {
    if (failure) throw failure;
    const seen = news;
    if (seen === readyAt) return;
    yield* handOn();
    readyAt = seen;
  }

  // Everything every worker has reported complete, merged in order: batch by batch, then the
  // connections open at the end, by id across the workers.
  function* handOn(): Generator<T> {
    const complete = Math.min(...states.map((s) => s.upTo));
    const batches = new Set<number>();
    for (const s of states) for (const g of s.queue) if (g.batch < complete) batches.add(g.batch);
    for (const batch of [...batches].sort((a, b) => a - b)) {
      // Ordered by the bytes (end time, id), then built a group at a time: a flood past the
      // half-open limit ends thousands of connections per batch, and records built all at once
      // would outlive the young generation (peak RSS).
      const merged: RunItem<D>[] = [];
      for (const s of states) {
        while (s.queue.length && s.queue[0]!.batch === batch) {
          const run = s.queue.shift()!;
          for (let k = run.first; k < run.first + run.count; k++) merged.push({ run, k, at: endOf(run, k), id: idOf(run, k) });
          writer.consumed(s.index, run.count);
        }
      }
      merged.sort(byEndThenId);
      for (let i = 0; i < merged.length; i += FINISH_GROUP) {
        yield* hand(kind.emit(merged.slice(i, i + FINISH_GROUP)));
      }
    }
    if (complete !== Infinity) return;
    // A record can go once every worker still sending has one queued to compare it with.
    // What is taken from each worker is reported a group at a time, and before waiting for it
    // (it may be waiting for room): one atomic update and wake-up per group, not per record.
    const group: RunItem<D>[] = [];
    const taken = states.map(() => 0);
    const report = () => {
      for (const s of states) if (taken[s.index]! > 0) { writer.consumed(s.index, taken[s.index]!); taken[s.index] = 0; }
    };
    const headId = (s: WorkerState<D>) => idOf(s.final[0]!, s.final[0]!.first);
    for (;;) {
      let best: WorkerState<D> | null = null;
      let blocked = false;
      for (const s of states) {
        if (s.final.length === 0) { if (!s.done) blocked = true; continue; }
        if (!best || headId(s) < headId(best)) best = s;
      }
      if (blocked || !best) break;
      const run = best.final[0]!;
      group.push({ run, k: run.first, at: endOf(run, run.first), id: idOf(run, run.first) });
      taken[best.index]!++;
      run.first++;
      if (--run.count === 0) best.final.shift();
      if (group.length === FINISH_GROUP) {
        report();
        yield* hand(kind.emit(group.splice(0)));
      }
    }
    report();
    if (group.length) yield* hand(kind.emit(group));
  }

  try {
    let published = 0;
    // Each batch is decoded into nextSlot(), which is free: waited for before the decoder resumes.
    for await (const { batch, packetBase } of decodeInputs(inputs, options, summaries, placement)) {
      writer.publish(batch.count, packetBase, batch.latestSec, batch.latestNsec);
      // Wait for the slot the next batch goes to, handing on meanwhile what the workers send:
      // a worker waiting for its connections to be consumed frees no slot until they are.
      while (!writer.slotFree()) {
        const seen = news;
        yield* ready();
        if (writer.slotFree()) break;
        if (news === seen) await abortable(Promise.race([writer.slotFreed(), new Promise<void>((resolve) => { wake = resolve; })]), signal);
        wake = null;
      }
      // Reading and decoding never wait for the event loop: let the workers' messages in now
      // and then, or they queue up (unread bytes) for as long as the ring has room.
      if (++published % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      yield* ready();
    }
    writer.close();
    for (;;) {
      const seen = news;
      yield* ready();
      if (states.every((s) => s.done && s.queue.length === 0 && s.final.length === 0)) break;
      if (news === seen) await abortable(new Promise<void>((resolve) => { wake = resolve; }), signal);
      wake = null;
    }
  } finally {
    over = true;
    writer.abort();
    for (const s of states) {
      s.recycle.close();
      await s.worker.terminate();
    }
    releaseScanMemory(memory); // nothing runs on it any more
  }
  if (failure) throw failure;
  return timeline!;
}
