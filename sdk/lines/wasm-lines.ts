// Lines written by the WebAssembly tracker's line writers (assembly/lines/: ndjson.ts, csv.ts,
// zeek.ts) from the ended connections' bytes, for the line scans (scan-lines.ts; at two threads
// from a worker's bytes: parallel/ended-lines.ts): the records of a batch are copied into the
// tracker's memory once, each line written there in the canonical order, and the lines copied
// from there to the output, runs of them in one copy. A
// record it declines (a history past 1 024 letters, a number only String() can write, a time
// past 2^31 s) is unpacked and written by the JS writer in its place: the output is the JS
// writer's, byte for byte (test/sdk/lines/wasm-lines.test.ts, wasm-csv-zeek.test.ts,
// wasm-csv-zeek-threads.test.ts).

import type { TrackerExports } from "../connections/tracker-module.js";
import { CONN_SIZE } from "../../assembly/connection-layout.js";
import { BLOCK_POINTERS, blockBytes, recordBlockBytes } from "../connections/record-blocks.js";
import type { ByteSink } from "./byte-sink.js";
import { siteNets, netWords, MAX_LOCAL_NETS } from "./site-nets.js";

/**
 * Whether the line scans use the wasm writers (at any thread count): on unless turned off (the command's
 * TCP_SCAN_WASM_LINES=0, to compare the two; the SDK reads no environment: Deno asks leave for it).
 */
let enabled = true;

export function wasmLinesEnabled(): boolean {
  return enabled;
}

/** Turns the wasm writer on or off (tests compare the output of both). */
export function setWasmLines(on: boolean): void {
  enabled = on;
}

/** The formats the tracker writes in WebAssembly: ndjson and the command's csv and zeek rows. */
export type WasmLineFormat = "ndjson" | "csv" | "zeek";

/** The lines of a group: bytes, and where each starts and ends in them (start -1: the JS writes it). */
export interface WrittenLines {
  bytes: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
}

export class WasmLineWriter {
  private readonly lineMax: number;
  private readonly writeLine: (c: number, at: number) => number;
  private records = 0; // where the batch's record bytes are in the tracker's memory
  private output = 0; //  where a group's lines are written

  /** `localNets`: the site's (the scan's localNets), for the zeek rows' local_orig and local_resp. */
  constructor(private readonly wasm: TrackerExports, private readonly groupMax: number, format: WasmLineFormat = "ndjson", localNets?: readonly string[]) {
    this.lineMax = wasm.lineMaxBytes();
    this.writeLine = format === "csv" ? wasm.writeCsvLine : format === "zeek" ? wasm.writeZeekLine : wasm.writeLine;
    // An instance writes one scan's lines: its nets are set once, here (none: the default's).
    wasm.clearSiteNets();
    for (const net of siteNets(localNets)) {
      if (!wasm.addSiteNet(...netWords(net), net.bits)) throw new RangeError(`at most ${MAX_LOCAL_NETS} local nets`);
    }
  }

  /** Copies a batch's ended-record bytes into the tracker's memory (before write()). */
  load(records: Uint8Array): void {
    const at = (records.length + 7) & ~7;
    const area = this.wasm.linesArea(at + this.groupMax * this.lineMax) >>> 0; // addresses past 2^31 come back negative
    new Uint8Array(this.wasm.memory.buffer, area, records.length).set(records);
    this.wasm.setBlocksBase(area); // the blocks' pointers are offsets into these bytes (ended-bytes.ts)
    this.records = area;
    this.output = area + at;
  }

  /**
   * The records are this instance's own, at their addresses (a worker's ended ring,
   * parallel/ended-ring.ts): write() takes addresses, and their blocks' pointers are addresses.
   */
  inPlace(): void {
    this.output = this.wasm.linesArea(this.groupMax * this.lineMax) >>> 0;
    this.wasm.setBlocksBase(0);
    this.records = 0;
  }

  /**
   * Copies runs of ended records (`count` in all) from another tracker's memory, `source` (a
   * worker's ended ring, its blocks' pointers addresses there), into this instance's: the
   * records one after another, then their blocks, pointed to as offsets from the first record
   * (as load() takes them). Returns the bytes copied (record k at k * CONN_SIZE), a view valid
   * until the next call.
   */
  loadRuns(source: Uint8Array, view: DataView, at: readonly number[], counts: readonly number[], count: number): Uint8Array {
    let blocks = 0;
    for (let r = 0; r < at.length; r++) {
      for (let c = at[r]!, end = c + counts[r]! * CONN_SIZE; c < end; c += CONN_SIZE) blocks += recordBlockBytes(view, c);
    }
    const size = count * CONN_SIZE + blocks;
    const area = this.wasm.linesArea(size + this.groupMax * this.lineMax) >>> 0;
    const bytes = new Uint8Array(this.wasm.memory.buffer, area, size);
    let to = 0;
    for (let r = 0; r < at.length; r++) {
      const n = counts[r]! * CONN_SIZE;
      bytes.set(source.subarray(at[r]!, at[r]! + n), to);
      to += n;
    }
    if (blocks > 0) {
      const copy = new DataView(bytes.buffer, area, size);
      for (let c = 0; c < count * CONN_SIZE; c += CONN_SIZE) {
        for (const pointer of BLOCK_POINTERS) {
          const block = copy.getUint32(c + pointer, true);
          if (block === 0) continue;
          const n = blockBytes(view, block);
          bytes.set(source.subarray(block, block + n), to);
          copy.setUint32(c + pointer, to, true);
          to += n;
        }
      }
    }
    this.wasm.setBlocksBase(area);
    this.records = area;
    this.output = area + size;
    return bytes;
  }

  /** The lines of the records at `offsets` (into the bytes load() copied), in their order. */
  write(offsets: ArrayLike<number>, order: ArrayLike<number>, first: number, end: number): WrittenLines {
    const n = end - first, starts = new Int32Array(n), ends = new Int32Array(n);
    const base = this.output, writeLine = this.writeLine;
    let at = base;
    for (let k = 0; k < n; k++) {
      const next = writeLine(this.records + offsets[order[first + k]!]!, at) >>> 0;
      if (next === 0) { starts[k] = -1; continue; }
      starts[k] = at - base;
      ends[k] = next - base;
      at = next;
    }
    // A view, not a copy: the group is written out before the next write() (GroupStore's rule).
    return { bytes: new Uint8Array(this.wasm.memory.buffer, base, at - base), starts, ends };
  }
}

/**
 * Appends lines 0 to count - 1 of `written` to `out` in order, each run of lines written in
 * WebAssembly as one copy; `declined(k)` writes line k where the WebAssembly writer declined it.
 * With `ends`, ends[endsAt + k] is where line k ends in `out`.
 */
export function appendWrittenLines(
  out: ByteSink, written: WrittenLines, count: number, declined: (k: number) => void, ends?: Uint32Array, endsAt = 0,
): void {
  const { bytes, starts } = written;
  for (let k = 0; k < count;) {
    if (starts[k] === -1) {
      declined(k);
      if (ends) ends[endsAt + k] = out.length;
      k++;
      continue;
    }
    let last = k;
    while (last + 1 < count && starts[last + 1] !== -1) last++;
    const base = out.length - starts[k]!;
    out.append(bytes, starts[k]!, written.ends[last]!);
    if (ends) for (let j = k; j <= last; j++) ends[endsAt + j] = base + written.ends[j]!;
    k = last + 1;
  }
}
