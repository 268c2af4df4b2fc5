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

/** A buffer's lines: line k ends at ends[k]; keys[2k], keys[2k + 1] are its (time ended, id). */
export interface EndedLines { bytes: Uint8Array; ends: Uint32Array; keys: Float64Array }

export class EndedLinesWriter {
  private readonly wasm: WasmLineWriter | null;
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
    wasm: { tracker: TrackerExports; format: WasmLineFormat } | null, private readonly write: () => LineWriter,
    private readonly spare?: () => ArrayBuffer | undefined,
  ) {
    this.wasm = wasm && new WasmLineWriter(wasm.tracker, FINISH_GROUP, wasm.format);
  }

  /** The lines of the first `count` connections in `bytes`. */
  lines(bytes: Uint8Array, count: number): EndedLines {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const offsets = endedRecords(view, 0, count);
    const keys = endedKeys(view, offsets), ends = new Uint32Array(count), out = this.out;
    const inJs = (k: number) => {
      unpackConnection(view, bytes, offsets[k]!, this.unpacked.store, 0);
      this.write().connection(out, this.unpacked.store, 0);
    };
    if (this.wasm) this.inWasm(bytes, offsets, count, ends, inJs);
    else for (let k = 0; k < count; k++) { inJs(k); ends[k] = out.length; }
    if (!this.spare) return { bytes: out.takeCopy(), ends, keys };
    const { buffer, length } = out.take(this.spare());
    return { bytes: new Uint8Array(buffer, 0, length), ends, keys };
  }

  private inWasm(bytes: Uint8Array, offsets: number[], count: number, ends: Uint32Array, inJs: (k: number) => void): void {
    const wasm = this.wasm!;
    if (this.order.length < count) this.order = Int32Array.from({ length: count }, (_, k) => k);
    wasm.load(bytes);
    for (let first = 0; first < count; first += FINISH_GROUP) {
      const end = Math.min(count, first + FINISH_GROUP);
      appendWrittenLines(this.out, wasm.write(offsets, this.order, first, end), end - first, (k) => inJs(first + k), ends, first);
    }
  }
}
