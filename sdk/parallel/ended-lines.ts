// Plain ndjson lines written in WebAssembly (lines/wasm-lines.ts) from a buffer of connection
// bytes (ended-bytes.ts), in the buffer's order: by the main thread for what a worker sent as
// bytes (ended-line-runs.ts), and by the worker itself when the main thread is behind
// (scan-worker.ts). A line the WebAssembly writer declines is unpacked and written by `write`.

import { unpackConnection } from "../connections/unpack-connection.js";
import { FINISH_GROUP } from "../connections/track.js";
import { GroupStore } from "../connections/ended-group.js";
import type { TrackerExports } from "../connections/tracker-module.js";
import { ByteSink } from "../lines/byte-sink.js";
import type { LineWriter } from "../lines/line-formats.js";
import { WasmLineWriter } from "../lines/wasm-lines.js";
import { endedKeys, endedRecords } from "./ended-bytes.js";

/** A buffer's lines: line k ends at ends[k]; keys[2k], keys[2k + 1] are its (time ended, id). */
export interface EndedLines { bytes: Uint8Array; ends: Uint32Array; keys: Float64Array }

export class EndedLinesWriter {
  private readonly wasm: WasmLineWriter;
  private readonly declined = new GroupStore(1);
  private readonly out = new ByteSink();
  private order = new Int32Array(0);

  /**
   * `tracker`: an instance whose memory the records are copied into; `write` writes the declined
   * lines. With `spare` (a worker's buffers given back), the lines are handed on in the buffer
   * they were written in and the writer goes on in a spare one; without, they are copied out.
   */
  constructor(tracker: TrackerExports, private readonly write: () => LineWriter, private readonly spare?: () => ArrayBuffer | undefined) {
    this.wasm = new WasmLineWriter(tracker, FINISH_GROUP);
  }

  /** The lines of the first `count` connections in `bytes`. */
  lines(bytes: Uint8Array, count: number): EndedLines {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const offsets = endedRecords(view, 0, count);
    const keys = endedKeys(view, offsets), ends = new Uint32Array(count), out = this.out;
    if (this.order.length < count) this.order = Int32Array.from({ length: count }, (_, k) => k);
    this.wasm.load(bytes);
    for (let first = 0; first < count; first += FINISH_GROUP) {
      const end = Math.min(count, first + FINISH_GROUP);
      const written = this.wasm.write(offsets, this.order, first, end);
      for (let k = first; k < end;) {
        const start = written.starts[k - first]!;
        if (start === -1) {
          unpackConnection(view, bytes, offsets[k]!, this.declined.store, 0);
          this.write().connection(out, this.declined.store, 0);
          ends[k++] = out.length;
          continue;
        }
        // A run of lines written in WebAssembly is one copy.
        let last = k;
        while (last + 1 < end && written.starts[last + 1 - first] !== -1) last++;
        const base = out.length - start;
        out.append(written.bytes, start, written.ends[last - first]!);
        for (; k <= last; k++) ends[k] = base + written.ends[k - first]!;
      }
    }
    if (!this.spare) return { bytes: out.takeCopy(), ends, keys };
    const { buffer, length } = out.take(this.spare());
    return { bytes: new Uint8Array(buffer, 0, length), ends, keys };
  }
}
