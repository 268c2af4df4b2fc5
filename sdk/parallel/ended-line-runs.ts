// Connection bytes from the workers (ended-bytes.ts), written here as plain ndjson lines in
// WebAssembly (lines/wasm-lines.ts) as each message arrives, then merged by copying bytes as
// line-runs.ts does. For two threads: the worker only tracks and this thread, which reads and
// decodes, writes the lines; a line written in JavaScript in the worker's isolate would cost it
// a JIT of its own, and one written in WebAssembly still makes the worker, already the busier
// thread, the bound (README, "Threads and the record path").

import { C_ID, C_REMOVED_AT } from "../../assembly/connection-layout.js";
import { unpackConnection } from "../connections/unpack-connection.js";
import { FINISH_GROUP } from "../connections/track.js";
import { GroupStore } from "../connections/ended-group.js";
import { instantiateTracker } from "../connections/tracker-module.js";
import { ByteSink } from "../lines/byte-sink.js";
import type { LineWriter } from "../lines/line-formats.js";
import { WasmLineWriter } from "../lines/wasm-lines.js";
import { endedRecords } from "./ended-bytes.js";
import { copyLines, type Lines } from "./line-runs.js";
import { runsOf, type Received, type RunItem, type RunKind } from "./merge-runs.js";
import type { WorkerMessage } from "./messages.js";

export class EndedLineRuns implements RunKind<Lines, Uint8Array> {
  // A tracker instance on a memory of its own, used only for its line writer.
  private readonly wasm = new WasmLineWriter(instantiateTracker(), FINISH_GROUP);
  private readonly declined = new GroupStore(1);
  private readonly out = new ByteSink();
  private order = new Int32Array(0);

  /** `write` writes the lines the WebAssembly writer declines (JavaScript's ndjson writer). */
  constructor(private readonly write: LineWriter) {}

  receive(m: WorkerMessage, message: Received) {
    if (m.type !== "ended") throw new Error(`a scan worker sent ${m.type} for lines written here`);
    const view = new DataView(m.bytes, 0, m.length), bytes = new Uint8Array(m.bytes, 0, m.length);
    const total = m.groups.reduce((n, g) => n + g.count, 0);
    const offsets = endedRecords(view, 0, total);
    const keys = new Float64Array(2 * total);
    for (let k = 0; k < total; k++) {
      keys[2 * k] = view.getFloat64(offsets[k]! + C_REMOVED_AT, true);
      keys[2 * k + 1] = view.getFloat64(offsets[k]! + C_ID, true);
    }
    const ends = this.writeLines(view, bytes, offsets);
    // The lines are copied out: the message's buffer goes back to its worker now.
    message.left = 0;
    return runsOf(m.groups, { bytes: this.out.takeCopy(), ends }, keys, message);
  }

  emit(items: RunItem<Lines>[]): Uint8Array {
    return copyLines(items, () => {});
  }

  /** Every record's line, in the message's order, into `out`; where each ends. */
  private writeLines(view: DataView, bytes: Uint8Array, offsets: number[]): Uint32Array {
    const total = offsets.length, ends = new Uint32Array(total), out = this.out;
    if (this.order.length < total) this.order = Int32Array.from({ length: total }, (_, k) => k);
    this.wasm.load(bytes);
    for (let first = 0; first < total; first += FINISH_GROUP) {
      const end = Math.min(total, first + FINISH_GROUP);
      const written = this.wasm.write(offsets, this.order, first, end);
      for (let k = first; k < end;) {
        const start = written.starts[k - first]!;
        if (start === -1) {
          unpackConnection(view, bytes, offsets[k]!, this.declined.store, 0);
          this.write.connection(out, this.declined.store, 0);
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
    return ends;
  }
}
