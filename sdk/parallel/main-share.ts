// The main thread's own share of the flows at two threads, for lines written in WebAssembly. On
// short connections at a small snaplen the worker's tracking is the bound and the main thread
// (reading, decoding, writing lines) has time to spare: it then tracks the flow groups of one more
// shard itself, right after decoding each batch, with a tracker of its own (the batch copied into
// its memory while still in this core's cache), and writes their lines at once, in that
// tracker's memory, where they ended. A batch's lines go to the merge as one run, in a buffer
// that comes back once they are merged (a buffer a run, left to the collector, piled up ~100 MB
// under a SYN flood).
// (docs/benchmarks.md, "Threads and the record path": the shares measured.)

import { WasmConnectionTracker } from "../connections/wasm-tracker.js";
import { acquireScanMemory, releaseScanMemory } from "../wasm-memory.js";
import type { TrackerShard } from "../connections/shard-groups.js";
import type { PacketBatch } from "../decoder/packet-batch.js";
import type { LineWriter } from "../lines/line-formats.js";
import type { WasmLineFormat } from "../lines/wasm-lines.js";
import type { ScanOptions } from "../scan.js";
import { EndedLinesWriter } from "./ended-lines.js";
import { EndedRing } from "./ended-ring.js";
import type { Lines } from "./line-runs.js";
import { runsOf, type Run } from "./merge-runs.js";
import { FINAL_BATCH } from "./messages.js";

/**
 * The main thread's share of the flows, by bytes a packet record takes in the capture (its
 * header and what was captured): on the 96-byte short mix (~101 bytes a record) the two threads
 * came out even with it at about a quarter; at full snaplen (~840) reading and decoding already
 * fill the main thread and any share made the scan slower. None when the size is unknown.
 */
export function mainShareFor(bytesPerRecord: number | null): number {
  return bytesPerRecord !== null && bytesPerRecord <= SMALL_RECORD_BYTES ? SMALL_RECORD_SHARE : 0;
}
const SMALL_RECORD_BYTES = 160;
const SMALL_RECORD_SHARE = 0.25;

/** What a thread that tracks a shard beside the workers gives the merge. */
export interface LocalShard<D> {
  /** Tracks batch `index` of the scan (its share of it): the runs of what ended in it. */
  track(batch: PacketBatch, packetBase: number, index: number): Run<D>[];
  /**
   * Ends up to `max` of the connections still open (the end of input), in id order: their runs,
   * and whether none is left.
   */
  finish(max: number): { runs: Run<D>[]; done: boolean };
  /** Bytes of lines handed on and not yet merged. */
  readonly held: number;
  /** Gives back what it holds (its tracker's memory): the scan is over. */
  close(): void;
}

/** A buffer of lines bigger than this is left to the collector once merged, not kept for reuse. */
const SPARE_MAX_BYTES = 2 << 20;

export class MainShareLines implements LocalShard<Lines> {
  private readonly tracker: WasmConnectionTracker;
  // A scan memory from the pool (its tracker above TRACKER_MEMORY_BASE; the decoder's regions
  // below it are never touched): a memory made per scan and dropped waits for V8's next full
  // collection, and a loop of scans would pile them up (wasm-memory.ts).
  private readonly memory = acquireScanMemory();
  private readonly lines: EndedLinesWriter;
  private readonly spares: ArrayBuffer[] = [];
  // The ends and keys of each call's lines since the last take.
  private ends: Uint32Array[] = [];
  private keys: Float64Array[] = [];
  private count = 0;
  held = 0;

  constructor(options: ScanOptions, shard: TrackerShard, format: WasmLineFormat, write: () => LineWriter) {
    let tracker: WasmConnectionTracker;
    try {
      tracker = this.tracker = new WasmConnectionTracker({ ...options, shard }, null, null, this.memory);
      tracker.dropTimeline(); // the first worker's is the scan's
    } catch (error) {
      releaseScanMemory(this.memory);
      throw error;
    }
    const lines = this.lines = new EndedLinesWriter({ tracker: tracker.wasm, format, localNets: options.localNets }, write, () => this.spares.pop());
    // Each call's ended records, written as lines before the tracker's next call reuses their room.
    tracker.endedRuns = (at, count) => {
      const { ends, keys } = lines.appendInPlace(EndedRing.addresses({ at: [at], counts: [count] }));
      this.ends.push(ends);
      this.keys.push(keys);
      this.count += count;
    };
  }

  track(batch: PacketBatch, packetBase: number, index: number): Run<Lines>[] {
    this.tracker.packetBase = packetBase;
    this.tracker.processBatch(batch);
    return this.take(index);
  }

  finish(max: number): { runs: Run<Lines>[]; done: boolean } {
    const done = this.tracker.finish(max);
    return { runs: this.take(FINAL_BATCH), done };
  }

  close(): void {
    releaseScanMemory(this.memory);
  }

  // The lines written since the last take, as one run of `batch`.
  private take(batch: number): Run<Lines>[] {
    const count = this.count;
    if (count === 0) return [];
    const bytes = this.lines.takeAppended();
    const ends = this.ends.length === 1 ? this.ends[0]! : concat(this.ends, new Uint32Array(count));
    const keys = this.keys.length === 1 ? this.keys[0]! : concat(this.keys, new Float64Array(2 * count));
    this.ends = [];
    this.keys = [];
    this.count = 0;
    const buffer = bytes.buffer as ArrayBuffer, length = bytes.length;
    this.held += length;
    const received = {
      buffer, left: count,
      giveBack: () => {
        this.held -= length;
        if (buffer.byteLength <= SPARE_MAX_BYTES) this.spares.push(buffer);
      },
    };
    return runsOf([{ batch, count }], { bytes, ends }, keys, received);
  }
}

function concat<A extends Uint32Array | Float64Array>(parts: A[], into: A): A {
  let at = 0;
  for (const part of parts) {
    into.set(part, at);
    at += part.length;
  }
  return into;
}
