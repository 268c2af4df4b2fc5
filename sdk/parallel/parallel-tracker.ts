// Tracks connections on worker threads, each owning the flows of one hash shard. This thread
// decodes the capture once, into output slots the workers read in place (batch-ring.ts; the
// first worker's tracker even lives in that memory and tracks them there, with no copy); the
// workers send the connections that end as bytes (this thread builds their records or writes
// their lines; at two threads, for lines written in WebAssembly, the first worker's say where they
// lie in its ended ring: ended-ring.ts) or as the lines they wrote (this thread copies them),
// merged into the exact order one thread produces:
// batch by batch, then by the time each connection ended, then by id; the connections open at
// the end of input by id.

import { MessageChannel, type MessagePort, type Worker } from "node:worker_threads";
import { FINISH_GROUP, type EndedGroup } from "../connections/track.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import { decodeInputs } from "../decoder/decode-inputs.js";
import { InputTypeError, type CaptureInput } from "../decoder/capture-input.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import type { Timeline } from "../report/capture-report.js";
import type { ScanOptions } from "../scan.js";
import { FINAL_BATCH, type DecodedRecords, type HandOffPeak, type WorkerJob, type WorkerMessage } from "./messages.js";
import { instantiateDecoder } from "../decoder/wasm.js";
import { TRACKER_MEMORY_BASE, acquireScanMemory, releaseScanMemory } from "../wasm-memory.js";
import { createRing, RingWriter } from "./batch-ring.js";
import { takeScanWorker, stopScanWorker } from "./worker-pool.js";
import { halfOpenLimit, connectionLimit } from "../connections/tracker.js";
import { abortable } from "../abort.js";
import { lineFormatRegistration, lineWriter, type LineSpec } from "../lines/line-formats.js";
import type { WasmLineFormat } from "../lines/wasm-lines.js";
import { EndedLineRuns } from "./ended-line-runs.js";
import type { Received, Run, RunItem, RunKind } from "./merge-runs.js";
import { completeUpTo, mergeBatch, queuedBatches, takeOpen, type Sent } from "./merge-order.js";
import { RecordRuns } from "./record-runs.js";
import { MainShareLines, type LocalShard } from "./main-share.js";
import type { TrackerShard } from "../connections/shard-groups.js";

/** Options a worker can receive: plain data only (no callbacks). */
function portable(options: ScanOptions): ScanOptions {
  const { onProgress: _progress, signal: _signal, ...rest } = options;
  // Validated here first. Each worker applies the whole limits to the virtual shards it tracks
  // (each shard its share: tracker-options.ts), as one thread does to all of them.
  halfOpenLimit(options);
  connectionLimit(options);
  return rest;
}

interface WorkerState<D> extends Sent<D> {
  worker: Worker;
  recycle: MessagePort;
}

const YIELD_EVERY = 8; // batches
/**
 * A batch asked for and not decoded within this long: the input keeps still (a live capture),
 * and what the workers send meanwhile is handed on while it waits.
 */
const INPUT_STILL_MS = 50;

/** Waits until `pending` settles (either way) or `ms` pass. */
function settlesWithin(pending: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    const settled = () => { clearTimeout(timer); resolve(); };
    pending.then(settled, settled);
  });
}
/**
 * This thread's share: the bytes of lines it holds for the merge before it waits for the workers
 * (a flood's ~1.6 kB lines fill ~1.5 MB a batch, in a 2 MiB buffer; on ordinary traffic a batch's
 * are tens of kB, in the writer's 256 KiB buffers, and never come near it), and the connections
 * it ends at a time at the end of input (each step's lines merged before the next). 8 MiB until
 * 2026-12-07: its buffers then held ~16 MiB under a flood that fills both bounds (docs/benchmarks.md,
 * "Memory under floods"; counted by the buffers' size instead, ordinary traffic's small batches,
 * each in a buffer of its own, reached the bound, or copied out, left garbage: +7 MiB peak).
 */
const LOCAL_HELD_BYTES = 3 << 20;
const LOCAL_FINISH_STEP = 512;
const HELD_PAUSE_MS = 1;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/**
 * Output slots the ring cycles through (of the decoder's 32): each is 4 160 records of 128 bytes
 * (0.5 MB) touched once used, so all 32 cost 17 MB of resident memory; a few batches of slack
 * keep the decoder and the workers apart as well.
 */
export const RING_SLOTS = 8;

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
  const kind = new EndedLineRuns(wasmLines, lineWriter(lines, options), reuse, handOff, options.localNets);
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
 * those it declines); while this thread is behind by `behind` connections, or is the bound, or
 * while a worker's waits for batches cover them, the workers write them (scan-worker.ts; tests
 * set 0: always, or Infinity: never). `handOff` as for trackInWorkers; with `reuse`,
 * each chunk is written over by the next (line-runs.ts, ChunkBuffer), as in linesInWorkers. With
 * `mainShare` (above 0, one worker), this thread tracks that share of the flows too and writes
 * their lines (main-share.ts).
 */
export function wasmLinesFromWorkers(
  inputs: CaptureInput[], options: ScanOptions, threads: number, summaries: CaptureSummary[], lines: LineSpec,
  wasmLines: WasmLineFormat,
  { behind = LINES_WHEN_BEHIND, handOff, reuse, mainShare = 0 }: { behind?: number; handOff?: HandOffPeak; reuse?: boolean; mainShare?: number } = {},
): AsyncGenerator<Uint8Array, Timeline> {
  const write = lineWriter(lines, options);
  const kind = new EndedLineRuns(wasmLines, write, reuse, handOff, options.localNets);
  const job = jobLines(lines, { wasmLines, linesWhenBehind: behind, endedInPlace: true });
  const local = threads === 1 && mainShare > 0
    ? { weight: mainShare, make: (shard: TrackerShard) => new MainShareLines(portable(options), shard, wasmLines, () => write) }
    : undefined;
  return runWorkers(inputs, options, threads, summaries, kind, job, handOff, local);
}

async function* runWorkers<D, T>(
  inputs: CaptureInput[], options: ScanOptions, threads: number, summaries: CaptureSummary[], kind: RunKind<D, T>,
  lineJob: LineJob, handOff?: HandOffPeak, localShare?: { weight: number; make: (shard: TrackerShard) => LocalShard<D> },
): AsyncGenerator<T, Timeline> {
  const signal = options.signal;
  // The shards: one a worker's; with localShare, one more, this thread's, of that weight against
  // the workers' 1 - weight in all (shard-groups.ts). Its tracker made first: a failure to make
  // it leaves nothing else behind.
  const shardCount = threads + (localShare ? 1 : 0);
  const weights = localShare ? [...new Array<number>(threads).fill((1 - localShare.weight) / threads), localShare.weight] : undefined;
  const local = localShare?.make({ index: threads, count: shardCount, weights }) ?? null;
  // The decoders of every input run on one memory the workers read the records from.
  let memory: WebAssembly.Memory;
  try {
    memory = acquireScanMemory();
  } catch (error) {
    local?.close();
    throw error;
  }
  const layout = await instantiateDecoder(memory).catch((error: unknown) => {
    local?.close();
    throw error;
  }); // grows the memory; tells where the slots are
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
  // What the merge reads: the workers', and this thread's share (index `threads`, no ring words).
  const merged: Sent<D>[] = [];
  const localSent: Sent<D> = { index: threads, queue: [], final: [], upTo: 0, done: false };
  const consumed = (worker: number, count: number) => { if (worker < threads) writer.consumed(worker, count); };
  const tracked = (runs: Run<D>[], upTo: number) => {
    for (const run of runs) (run.batch === FINAL_BATCH ? localSent.final : localSent.queue).push(run);
    localSent.upTo = upTo;
    news++;
  };

  // What the workers send waits as they sent it, until merged and handed on.
  // A message in place ("ended-in-place") has no buffer: its records are released in the
  // worker's ended ring once copied, which receive() does at once.
  const receive = (state: WorkerState<D>, m: Extract<WorkerMessage, { type: "ended" | "lines" | "ended-in-place" }>) => {
    if (over) return; // the scan has ended: a worker's ring may be written over by now
    const buffer = m.type === "ended-in-place" ? null : m.bytes;
    const message: Received = { buffer, left: 0, giveBack: () => { if (buffer && !state.done) state.recycle.postMessage(buffer, [buffer]); } };
    for (const run of kind.receive(m, message, memory)) {
      if (run.batch === FINAL_BATCH) state.final.push(run);
      else state.queue.push(run);
    }
    if (message.left === 0) message.giveBack();
    if (m.type !== "ended" && m.releaseTo !== undefined) writer.released(state.index, m.releaseTo);
    state.upTo = m.upTo;
  };

  // Each worker is sent its job; what it sends is received as it comes. (A function of its own,
  // as are the merge's steps below: runWorkers is resumed at every batch, and V8 optimises a
  // generator by the size of its bytecode as well: ~45 ms of TurboFan when it held all of it.)
  const start = (index: number): WorkerState<D> => {
    const recycle = new MessageChannel();
    const job: WorkerJob = {
      ring, recycle: recycle.port2, records, options: portable(options), shard: { index, count: shardCount, weights },
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
      if (m.type === "loaded") return; // its script ran: nothing for the scan (worker-pool.ts)
      if (m.type === "ended" || m.type === "lines" || m.type === "ended-in-place") {
        // Lines may be written here (a format registered on this thread alone): a formatter that
        // throws fails the scan, as it does at one thread, rather than escaping this listener.
        try {
          receive(state, m);
        } catch (error) {
          return fail(error instanceof Error ? error : new Error(String(error)));
        }
      }
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
    return state;
  };
  for (let index = 0; index < threads; index++) states.push(start(index));
  merged.push(...states);
  if (local) merged.push(localSent);

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
  // connections open at the end, by id across the workers (merge-order.ts does the work).
  function* handOn(): Generator<T> {
    const complete = completeUpTo(merged);
    for (const batch of queuedBatches(merged, complete)) {
      // Ordered by the bytes (end time, id), then built a group at a time: a flood past the
      // half-open limit ends thousands of connections per batch, and records built all at once
      // would outlive the young generation (peak RSS).
      const items = mergeBatch(merged, batch, consumed);
      for (let i = 0; i < items.length; i += FINISH_GROUP) {
        yield* hand(kind.emit(items.slice(i, i + FINISH_GROUP)));
      }
    }
    if (complete === Infinity) yield* handOnOpen();
  }

  // A connection open at the end can go once every worker still sending has one queued to
  // compare it with. What is taken from each worker is reported a group at a time, and before
  // waiting for it (it may be waiting for room): one atomic update and wake-up per group.
  function* handOnOpen(): Generator<T> {
    const group: RunItem<D>[] = [];
    const taken = merged.map(() => 0);
    const report = () => {
      for (const s of merged) if (taken[s.index]! > 0) { consumed(s.index, taken[s.index]!); taken[s.index] = 0; }
    };
    while (takeOpen(merged, group, taken, FINISH_GROUP)) {
      report();
      yield* hand(kind.emit(group.splice(0)));
    }
    report();
    if (group.length) yield* hand(kind.emit(group));
  }

  // One step between two hand-ons (the loop below, the one place this generator hands values
  // on: each `yield*` is ~300 bytes of its bytecode): the next batch decoded and published once
  // the slot it goes to is free, else a wait for news from the workers (`seen`: the count of
  // messages before the last hand-on). False once the input has ended and all the workers sent
  // is handed on.
  // The input's reads stop on the caller's signal, or once this scan ends while one waits (a
  // stream that keeps still: see pendingInput).
  const inputStop = new AbortController();
  const stopInput = () => inputStop.abort(signal?.reason);
  signal?.addEventListener("abort", stopInput, { once: true });
  if (signal?.aborted) stopInput();
  const input = decodeInputs(inputs, { ...options, signal: inputStop.signal }, summaries, placement);
  let reading = true, published = 0;
  // The next batch asked for and not yet decoded: a stream that keeps still (a live capture)
  // leaves it waiting while what the workers sent meanwhile is handed on.
  let pendingInput: Promise<IteratorResult<{ batch: PacketBatch; packetBase: number }>> | null = null;
  let inputFailure: Error | null = null;
  const step = async (seen: number): Promise<boolean> => {
    // This thread's lines wait for the workers' of the same batches: past so many, it waits for
    // the workers to read on (not while they have read every batch: they report the batches
    // complete only as they go on, or every so many batches).
    const held = local !== null && local.held > LOCAL_HELD_BYTES && writer.unread() > 0;
    if (reading && !held && writer.slotFree()) {
      // Each batch is decoded into nextSlot(), which is free: waited for before the decoder resumes.
      if (!pendingInput) {
        pendingInput = input.next();
        // Most batches come at once (a file, a busy pipe): news waits for them, as before.
        await settlesWithin(pendingInput, INPUT_STILL_MS);
      }
      let next: IteratorResult<{ batch: PacketBatch; packetBase: number }> | null = null;
      if (news === seen) {
        const woken = new Promise<null>((resolve) => { wake = () => resolve(null); });
        try {
          next = await Promise.race([pendingInput, woken]);
        } catch (error) {
          if (!(error instanceof InputTypeError)) throw error;
          // A caller's stream that yielded no bytes: thrown once what the workers make of the
          // batches published before it is handed on (the loop below), as one thread does.
          inputFailure = error;
          reading = false;
          pendingInput = null;
          return true;
        } finally {
          wake = null;
        }
      }
      if (next === null) return true; // news first: handed on, the batch still asked for
      pendingInput = null;
      if (next.done) {
        reading = false;
        writer.close();
        localSent.upTo = Infinity; // its connections still open are ended step by step below
        return true;
      }
      const { batch, packetBase } = next.value;
      writer.publish(batch.count, packetBase, batch.latestSec, batch.latestNsec);
      // This thread's share of the batch (the workers have theirs from the ring meanwhile).
      if (local) tracked(local.track(batch, packetBase, published), published + 1);
      // Reading and decoding never wait for the event loop: let the workers' messages in now
      // and then, or they queue up (unread bytes) for as long as the ring has room.
      if (++published % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      return true;
    }
    if (!reading && local && !localSent.done && localSent.final.length === 0) {
      const { runs, done } = local.finish(LOCAL_FINISH_STEP);
      tracked(runs, Infinity);
      localSent.done = done;
      return true;
    }
    if (!reading && merged.every((s) => s.done && s.queue.length === 0 && s.final.length === 0)) return false;
    // The slot the next batch goes to is still taken (a worker waiting for its connections to be
    // consumed frees none until they are: handed on meanwhile), or the input has ended.
    if (news === seen) {
      const woken = new Promise<void>((resolve) => { wake = resolve; });
      const readOn = held ? pause(HELD_PAUSE_MS) : writer.slotFreed();
      await abortable(reading ? Promise.race([readOn, woken]) : woken, signal);
    }
    wake = null;
    return true;
  };

  try {
    for (let more = true; more;) {
      const seen = news;
      yield* ready();
      // The input failed: thrown once every batch published before it is handed on.
      if (inputFailure && news === readyAt && merged.every((s) => s.upTo >= published)) throw inputFailure;
      more = await step(seen);
    }
  } finally {
    const waiting = pendingInput as Promise<unknown> | null; // (set in step(), which the compiler does not follow)
    signal?.removeEventListener("abort", stopInput);
    if (waiting) {
      // A read still waits (a stream that keeps still): given up, then the input ends.
      inputStop.abort();
      await waiting.catch(() => {});
    }
    if (reading) await input.return(undefined); // as a for-await loop left early would
    over = true;
    writer.abort();
    for (const s of states) {
      s.recycle.close();
      await stopScanWorker(s.worker);
    }
    releaseScanMemory(memory); // nothing runs on it any more
    local?.close();
  }
  if (failure) throw failure;
  return timeline!;
}
