// Lines written in WebAssembly (lines/wasm-lines.ts: ndjson, or the command's csv and zeek rows)
// from a buffer of connection bytes (ended-bytes.ts), in the buffer's order: by the main thread
// for what a worker sent as bytes (ended-line-runs.ts), and by the worker itself when the main
// thread is behind (scan-worker.ts). A line the WebAssembly writer declines is unpacked and
// written by `write` (the format's JS writer); without a WebAssembly writer (a format with none,
// or filtered), `write` writes every line.

import { unpackConnection } from "../connections/unpack-connection.js";
import { FINISH_GROUP } from "../connections/track.js";
import { GroupStore } from "../connections/ended-group.js";
import type { TrackerExports } from "../connections/tracker-module.js";
import { ByteSink } from "../lines/byte-sink.js";
import type { LineWriter } from "../lines/line-formats.js";
import { appendWrittenLines, WasmLineWriter, type WasmLineFormat } from "../lines/wasm-lines.js";
import { endedKeys, endedRecords } from "./ended-bytes.js";
import { CONN_SIZE } from "../../assembly/connection-layout.js";

/** A buffer's lines: line k ends at ends[k]; keys[2k], keys[2k + 1] are its (time ended, key). */
export interface EndedLines { bytes: Uint8Array; ends: Uint32Array; keys: Float64Array }

export class EndedLinesWriter {
  private readonly wasm: WasmLineWriter | null;
  private readonly tracker: TrackerExports | null; // the instance it writes in
  private readonly unpacked = new GroupStore(1); // one connection at a time, for the JS writer
  private readonly out = new ByteSink();
  private order = new Int32Array(0);

  /**
   * `wasm`: an instance whose memory the records are copied into, and its writer that writes the
   * lines (null: none); `write` writes the others. With `spare` (a worker's buffers given
   * back), the lines are handed on in the buffer they were written in and the writer goes on in
   * a spare one; without, they are copied out.
   */
  constructor(
    wasm: { tracker: TrackerExports; format: WasmLineFormat; localNets?: readonly string[] } | null, private readonly write: () => LineWriter,
    private readonly spare?: () => ArrayBuffer | undefined,
  ) {
    this.wasm = wasm && new WasmLineWriter(wasm.tracker, FINISH_GROUP, wasm.format, wasm.localNets);
    this.tracker = wasm?.tracker ?? null;
  }

  /** The lines of the first `count` connections in `bytes`. */
  lines(bytes: Uint8Array, count: number): EndedLines {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const offsets = endedRecords(view, 0, count);
    return this.linesOf(bytes, view, offsets, () => this.wasm!.load(bytes));
  }

  /**
   * The lines of the records at `addresses` of the writer's own tracker memory (a worker's ended
   * ring, ended-ring.ts), written there without a copy.
   */
  linesInPlace(addresses: number[]): EndedLines {
    const wasm = this.withWasm();
    const buffer = this.tracker!.memory.buffer;
    const bytes = new Uint8Array(buffer), view = new DataView(buffer);
    return this.linesOf(bytes, view, addresses, () => { wasm.inPlace(); });
  }

  /**
   * Appends the lines of the records at `addresses` of the writer's own tracker memory to those
   * takeAppended() hands on; their ends (from the start of what it hands on) and keys.
   */
  appendInPlace(addresses: number[]): { ends: Uint32Array; keys: Float64Array } {
    const wasm = this.withWasm();
    const buffer = this.tracker!.memory.buffer;
    return this.writeLines(new Uint8Array(buffer), new DataView(buffer), addresses, () => { wasm.inPlace(); });
  }

  /** The lines appended since the last take, in their buffer (the writer goes on in a spare one). */
  takeAppended(): Uint8Array {
    if (!this.spare) return this.out.takeCopy();
    const { buffer, length } = this.out.take(this.spare());
    return new Uint8Array(buffer, 0, length);
  }

  /**
   * The lines of runs of ended records in another thread's tracker memory, `source` (the first
   * worker's ended ring: `counts[r]` records at `at[r]`), copied once into this writer's.
   */
  linesFromRuns(source: WebAssembly.Memory, at: readonly number[], counts: readonly number[], count: number): EndedLines {
    const wasm = this.withWasm();
    const shared = this.sourceViews(source);
    const bytes = wasm.loadRuns(shared.bytes, shared.view, at, counts, count);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const offsets = new Array<number>(count);
    for (let k = 0; k < count; k++) offsets[k] = k * CONN_SIZE;
    return this.linesOf(bytes, view, offsets, () => {});
  }

  private withWasm(): WasmLineWriter {
    if (!this.wasm) throw new Error("ended records in place need a WebAssembly line writer");
    return this.wasm;
  }

  // Views over another memory, renewed when it has grown (a shared memory's buffer then changes).
  private source: { buffer: ArrayBufferLike; bytes: Uint8Array; view: DataView } | null = null;
  private sourceViews(memory: WebAssembly.Memory): { bytes: Uint8Array; view: DataView } {
    const buffer = memory.buffer;
    if (this.source?.buffer !== buffer) this.source = { buffer, bytes: new Uint8Array(buffer), view: new DataView(buffer) };
    return this.source;
  }

  // The lines of the records at `offsets` of `bytes` (`view`), `load` having placed them for the WebAssembly writer.
  private linesOf(bytes: Uint8Array, view: DataView, offsets: number[], load: () => void): EndedLines {
    const { ends, keys } = this.writeLines(bytes, view, offsets, load);
    return { bytes: this.takeAppended(), ends, keys };
  }

  // The same, appended to what the writer holds: their ends and keys.
  private writeLines(bytes: Uint8Array, view: DataView, offsets: number[], load: () => void): { ends: Uint32Array; keys: Float64Array } {
    const count = offsets.length;
    const keys = endedKeys(view, offsets), ends = new Uint32Array(count), out = this.out;
    const inJs = (k: number) => {
      unpackConnection(view, bytes, offsets[k]!, this.unpacked.store, 0);
      this.write().connection(out, this.unpacked.store, 0);
    };
    if (this.wasm) this.inWasm(load, offsets, count, ends, inJs);
    else for (let k = 0; k < count; k++) { inJs(k); ends[k] = out.length; }
    return { ends, keys };
  }

  private inWasm(load: () => void, offsets: number[], count: number, ends: Uint32Array, inJs: (k: number) => void): void {
    const wasm = this.wasm!;
    if (this.order.length < count) this.order = Int32Array.from({ length: count }, (_, k) => k);
    load();
    for (let first = 0; first < count; first += FINISH_GROUP) {
      const end = Math.min(count, first + FINISH_GROUP);
      appendWrittenLines(this.out, wasm.write(offsets, this.order, first, end), end - first, (k) => inJs(first + k), ends, first);
    }
  }
}
