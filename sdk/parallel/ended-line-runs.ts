// Lines written in WebAssembly at two threads (ndjson, csv or zeek, unfiltered): the worker sends
// its connections as bytes (ended-bytes.ts), which this thread writes as lines in WebAssembly as
// each message arrives (ended-lines.ts), or, when this thread is behind, as lines it wrote
// itself (scan-worker.ts); both are then merged by copying bytes as line-runs.ts does. The work
// goes to whichever thread has room: on short connections the worker's tracking is the larger
// share, on large packets this thread's reading (README, "Threads and the record path").

import { instantiateTracker } from "../connections/tracker-module.js";
import type { LineWriter } from "../lines/line-formats.js";
import type { WasmLineFormat } from "../lines/wasm-lines.js";
import { EndedLinesWriter } from "./ended-lines.js";
import { ChunkBuffer, copyLines, linesRuns, type Lines } from "./line-runs.js";
import { runsOf, taken, type Received, type RunItem, type RunKind } from "./merge-runs.js";
import type { WorkerMessage } from "./messages.js";

/** Buffers of lines this thread wrote, kept for reuse once their lines are merged. */
const MAX_SPARES = 8;

export class EndedLineRuns implements RunKind<Lines, Uint8Array> {
  private converter: EndedLinesWriter | null = null;
  private readonly out: ChunkBuffer | null;
  private readonly spares: ArrayBuffer[] = [];

  /**
   * `format`: the WebAssembly writer of the lines; `write` writes those it declines (the format's
   * JS writer); `reuse`: each chunk emitted is written over by the next (line-runs.ts, ChunkBuffer).
   */
  constructor(private readonly format: WasmLineFormat, private readonly write: LineWriter, reuse = false) {
    this.out = reuse ? new ChunkBuffer() : null;
  }

  receive(m: WorkerMessage, message: Received) {
    if (m.type === "lines") return linesRuns(m, message);
    if (m.type !== "ended") throw new Error(`a scan worker sent ${m.type} for lines`);
    // A tracker instance on a memory of its own, used only for its line writer: made once needed.
    // Its lines go into a buffer of their own, which comes back here once they are merged.
    this.converter ??= new EndedLinesWriter(instantiateTracker(), this.format, () => this.write, () => this.spares.pop());
    const count = m.groups.reduce((n, g) => n + g.count, 0);
    const { bytes, ends, keys } = this.converter.lines(new Uint8Array(m.bytes, 0, m.length), count);
    message.left = 0; // the lines are written: the message's buffer goes back to its worker now
    const buffer = bytes.buffer as ArrayBuffer;
    const written: Received = {
      buffer, left: count, giveBack: () => { if (this.spares.length < MAX_SPARES) this.spares.push(buffer); },
    };
    return runsOf(m.groups, { bytes, ends }, keys, written);
  }

  emit(items: RunItem<Lines>[]): Uint8Array {
    return copyLines(items, taken, this.out);
  }
}
