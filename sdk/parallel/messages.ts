// What the main thread and the scan workers send each other.

import type { Timeline } from "../report/capture-report.js";
import type { ScanOptions } from "../scan.js";
import type { MessagePort } from "node:worker_threads";
import type { RingBuffers } from "./batch-ring.js";
import type { LineSpec } from "../lines/line-formats.js";
import type { WasmLineFormat } from "../lines/wasm-lines.js";
import type { TrackerShard } from "../connections/shard-groups.js";

/** Where the decoded batches are: output slots of `slotRecords` records from `outputAt` on. */
export interface DecodedRecords {
  memory: WebAssembly.Memory;
  outputAt: number;
  slotRecords: number;
  /** Slot 0's file offsets and tunnel records (PacketBatch.ofSlot's extras). */
  extras: { fileOffsetsAt: number; tunnelsAt: number };
}

export interface WorkerJob {
  ring: RingBuffers;
  /** Where the main thread returns the buffers of "ended" messages, for the worker to reuse. */
  recycle: MessagePort;
  records: DecodedRecords;
  options: ScanOptions;
  shard: TrackerShard;
  /**
   * This worker's tracker lives in the records' memory (above the decoder's regions) and reads
   * the batches where they are; the others copy each batch into memories of their own. One
   * memory holds one tracker: only one worker can.
   */
  inPlace: boolean;
  /**
   * Write the connections as lines of this format (lines-worker.ts) instead of sending their
   * bytes: the worker builds, filters and serialises its own connections. With `linesWhenBehind`,
   * only for some messages (below). Only when its script has `linesRegistration`.
   */
  lines?: LineSpec;
  /**
   * With `lines`: the main thread's registration of their format (lineFormatRegistration). A
   * worker whose script does not have that one (a format the program registered on its main
   * thread alone, or replaced there) sends the connections as bytes for the main thread to write.
   */
  linesRegistration?: number;
  /** With `lines`: the WebAssembly writer of their format (lines/wasm-lines.ts), the same bytes. */
  wasmLines?: WasmLineFormat;
  /**
   * With `lines` and `wasmLines`: send the connections as bytes, for the main thread to write,
   * but as their lines written in WebAssembly while the main thread is behind, i.e. this many
   * connections sent before are not yet consumed, and the worker has time to spare, i.e. it
   * waited for a batch since its last message; or while its waits for batches cover writing them
   * (idle-credit.ts); or while the main thread is the bound (decoder-bound.ts). 0: always;
   * Infinity: never (parallel/ended-line-runs.ts takes both). A worker without the format's
   * registration sends bytes throughout.
   */
  linesWhenBehind?: number;
  /**
   * The main thread reads this worker's ended connections in place when its tracker lives in the
   * records' memory (`inPlace`): they stay in a ring there until it has copied them
   * (ended-ring.ts) and the messages say where they are ("ended-in-place").
   */
  endedInPlace?: boolean;
}

/**
 * The most ended connections a worker had sent and not yet seen consumed, while tracking the
 * batches (`scan`) and at the end of input (`final`); over all workers, for tests.
 */
export interface HandOffPeak {
  scan: number;
  final: number;
  /** The most buffers a worker held given back and not yet reused (SpareBuffers, worker-loop.ts). */
  spares?: number;
  /** Buffers of lines the main thread made to write the workers' connections in (ended-line-runs.ts). */
  lineBuffers?: number;
}

/** Batch number of the connections still open at the end of input (ended in id order). */
export const FINAL_BATCH = -1;

export type WorkerMessage =
  /**
   * Connections that ended, as the first `length` bytes of `bytes` (parallel/ended-bytes.ts):
   * `groups` says how many of them, in order, ended during each batch. Every batch below
   * `upTo` is now complete.
   */
  | { type: "ended"; bytes: ArrayBuffer; length: number; groups: { batch: number; count: number }[]; upTo: number }
  /**
   * Connections that ended, left in the worker's ended ring in the records' memory
   * (ended-ring.ts): `counts[r]` records at `at[r]`, for each r, in order; the main thread copies
   * them, then releases the ring up to `releaseTo` (RingWriter.released). `groups` and `upTo`
   * as for "ended".
   */
  | { type: "ended-in-place"; at: number[]; counts: number[]; releaseTo: number; groups: { batch: number; count: number }[]; upTo: number }
  /**
   * Lines (the first `length` bytes of `bytes`, UTF-8) of connections that ended, in order
   * within each batch: line k ends at `ends[k]`; `keys` holds its (time ended, key) at 2k, 2k + 1.
   * `groups` and `upTo` as for "ended"; `releaseTo`, from a worker with an ended ring, as for
   * "ended-in-place" (the worker wrote the lines from the ring).
   */
  | { type: "lines"; bytes: ArrayBuffer; length: number; ends: Uint32Array; keys: Float64Array; groups: { batch: number; count: number }[]; upTo: number; releaseTo?: number }
  /** `unconsumed`: the worker's UnconsumedPeak (batch-ring.ts). */
  | { type: "done"; timeline: Timeline; unconsumed: HandOffPeak }
  /** The worker's script is loaded (its first message, before its job: worker-pool.ts). */
  | { type: "loaded" }
  | { type: "error"; message: string; stack?: string };
