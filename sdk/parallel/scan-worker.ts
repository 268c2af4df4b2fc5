// A worker thread of a parallel scan: reads every decoded batch in place, in the decoder's
// shared memory (its clock must see all packets), tracks the flows of its hash shard with the
// WebAssembly tracker (the first worker's tracker lives in that memory; the others copy each batch),
// and sends the connections that end, as bytes, batch by batch (the first worker, whose tracker
// is in the decoder's memory, at two threads for the lines written in WebAssembly: where they lie
// in its ended ring, for the main thread to copy: ended-ring.ts); at the end of input, the
// connections still open, in id order (or, with `linesWhenBehind`, their lines while the main
// thread is behind, or while this worker's waits cover writing them: idle-credit.ts, or while the
// main thread does not wait for free slots: decoder-bound.ts). A job
// with `lines` alone runs lines-worker.ts instead, when this script has the main thread's
// registration of their format (sdk/lines/line-formats.ts: the command's worker script,
// cli/scan-worker.ts, registers its csv and zeek before this one); else its connections go as bytes, for the main thread to write with its own (a format a program
// registered on its main thread alone).

import { parentPort } from "node:worker_threads";
import { WasmConnectionTracker } from "../connections/wasm-tracker.js";
import { EndedBytesWriter } from "./ended-bytes.js";
import { EndedRing } from "./ended-ring.js";
import type { WorkerJob, WorkerMessage } from "./messages.js";
import { runLines } from "./lines-worker.js";
import { EndedLinesWriter } from "./ended-lines.js";
import { lineFormatRegistration, lineWriter, type LineWriter } from "../lines/line-formats.js";
import { SpareBuffers, WorkerLoop, type Outbox } from "./worker-loop.js";
import { IdleCredit } from "./idle-credit.js";
import { DecoderBound } from "./decoder-bound.js";

// A message holds at most this many connections (~1.4 kB each): a flood ends one per packet, and
// a batch's 4 096 sent at once went out in 6-8 MB buffers, doubled as they filled, per worker.
const FLUSH_RECORDS = 512;
const FINISH_STEP = FLUSH_RECORDS;

function run(job: WorkerJob): void {
  // Every buffer sent (connection bytes, or lines) comes back once the main thread is done with it.
  const spares = new SpareBuffers(job.recycle);
  // Lines when behind only in a worker script with the format's registration (the declined lines
  // need its JS writer); else bytes throughout.
  const whenBehind = writesLines(job) ? job.linesWhenBehind : undefined;
  // With linesWhenBehind, made once first needed (the JS writer only for a line WebAssembly declines).
  let lines: EndedLinesWriter | null = null, write: LineWriter | null = null;
  const linesWriter = () => lines ??= new EndedLinesWriter({ tracker: tracker.wasm, format: job.wasmLines!, localNets: job.options.localNets }, () => write ??= lineWriter(job.lines!, job.options), spares.take);
  const idle = new IdleCredit();
  // Or the main thread has not waited for a free slot for a while (decoder-bound.ts).
  const bound = new DecoderBound();
  const mainBound = () => bound.holds(loop.reader.mainWaits(), loop.reader.batchesRead, loop.reader.inputEnded());
  // The main thread is behind and this worker has time to spare, or this worker has waited for
  // batches as long as writing the `count` lines takes (idle-credit.ts), or the main thread is the
  // bound: it writes them (0: always; Infinity: never).
  const behind = (unconsumed: number, room: boolean, idleMs: number, count: number) => {
    idle.add(idleMs);
    const decoderBound = mainBound(); // at every message: it counts the batches since a wait
    return whenBehind !== undefined &&
      (whenBehind === 0 || (unconsumed >= whenBehind && room) ||
        (whenBehind !== Infinity && (idle.covers(count) || decoderBound)));
  };
  // Writes lines, the time it took counted against the waits (and the cost of a line measured).
  const timed = <T>(count: number, write: () => T): T => {
    const from = performance.now();
    const result = write();
    idle.spent(performance.now() - from, count);
    return result;
  };
  const inRing = job.endedInPlace === true && job.inPlace;
  let ring: EndedRing | null = null;
  const out = inRing ? null : new EndedBytesWriter(spares.take);
  const outbox: Outbox = inRing ? {
    get count() { return ring!.count; },
    full: () => ring!.count >= FLUSH_RECORDS,
    take: (groups, upTo, unconsumed, room, idleMs) => {
      const count = ring!.count;
      const runs = ring!.take();
      if (behind(unconsumed, room, idleMs, count)) {
        // Written straight from the ring, where the tracker left them.
        const { bytes, ends, keys } = timed(count, () => linesWriter().linesInPlace(EndedRing.addresses(runs)));
        return {
          message: { type: "lines", bytes: bytes.buffer as ArrayBuffer, length: bytes.length, ends, keys, groups, upTo, releaseTo: runs.releaseTo },
          transfer: [bytes.buffer as ArrayBuffer, ends.buffer as ArrayBuffer, keys.buffer as ArrayBuffer],
        };
      }
      return { message: { type: "ended-in-place", at: runs.at, counts: runs.counts, releaseTo: runs.releaseTo, groups, upTo }, transfer: [] };
    },
  } : {
    get count() { return out!.count; },
    full: () => out!.count >= FLUSH_RECORDS,
    take: (groups, upTo, unconsumed, room, idleMs) => {
      if (behind(unconsumed, room, idleMs, out!.count)) {
        const count = out!.count;
        const { bytes, ends, keys } = timed(count, () => linesWriter().lines(out!.written(), count));
        out!.clear(); // the lines are written: the bytes' writer goes on in its buffer
        return {
          message: { type: "lines", bytes: bytes.buffer as ArrayBuffer, length: bytes.length, ends, keys, groups, upTo },
          transfer: [bytes.buffer as ArrayBuffer, ends.buffer as ArrayBuffer, keys.buffer as ArrayBuffer],
        };
      }
      const { buffer, length } = out!.take();
      return { message: { type: "ended", bytes: buffer, length, groups, upTo }, transfer: [buffer] };
    },
  };
  const loop = new WorkerLoop(job, outbox, spares);
  const tracker = new WasmConnectionTracker({ ...job.options, shard: job.shard }, null, (bytes, view, at) => {
    out!.add(bytes, view, at);
    loop.wrote(1);
  }, job.inPlace ? job.records.memory : undefined);
  if (job.shard.index > 0) tracker.dropTimeline(); // the first worker's timeline is the scan's
  if (inRing) {
    // Each call's records stay in the ring: counted (and sent once enough are), then the next call placed.
    const r = ring = new EndedRing(tracker.wasm, loop.reader, () => loop.sendNow());
    tracker.endedRuns = (at, count) => {
      r.add(at, count);
      loop.wrote(count);
      r.next();
    };
  }
  loop.run(({ packets, packetBase }) => {
    tracker.packetBase = packetBase;
    if (job.inPlace) tracker.processInPlace(packets.u8.byteOffset, packets.count, packets.latestSec, packets.latestNsec, packets.tunnels!.byteOffset);
    else tracker.processBatch(packets);
  }, () => tracker.finish(FINISH_STEP), () => ({ maxGapSec: tracker.maxGapSec, backwardsSteps: tracker.backwardsSteps }));
}

/** Whether this script writes the job's lines: it has the very registration of their format the main thread has. */
function writesLines(job: WorkerJob): boolean {
  return job.lines !== undefined && lineFormatRegistration(job.lines.format) === job.linesRegistration;
}

// Started ahead of need (worker-pool.ts): the job comes as the first message. The command sets
// its V8 flags once this script is loaded (cli/gc-flags.ts): it says so first.
parentPort!.postMessage({ type: "loaded" } satisfies WorkerMessage);
parentPort!.once("message", (job: WorkerJob) => {
  try {
    if (writesLines(job) && job.linesWhenBehind === undefined) runLines(job, job.lines!);
    else run(job);
  } catch (error) {
    const e = error as Error;
    parentPort!.postMessage({ type: "error", message: e.message, stack: e.stack } satisfies WorkerMessage);
  }
});
