// Lines written in WebAssembly at two threads (ndjson, csv or zeek, unfiltered): the worker sends
// its connections as bytes (ended-bytes.ts), which this thread writes as lines in WebAssembly as
// each message arrives (ended-lines.ts), or, when this thread is behind, as lines it wrote
// itself (scan-worker.ts); both are then merged by copying bytes as line-runs.ts does. The work goes to whichever thread has room: on short
// connections the worker's tracking is the larger share, on large packets this thread's
// reading (README, "Threads and the record path").

import { instantiateTracker } from "../connections/tracker-module.js";
import type { LineWriter } from "../lines/line-formats.js";
import type { WasmLineFormat } from "../lines/wasm-lines.js";
import { EndedLinesWriter } from "./ended-lines.js";
import { copyLines, linesRuns, type Lines } from "./line-runs.js";
import { runsOf, taken, type Received, type RunItem, type RunKind } from "./merge-runs.js";
import type { WorkerMessage } from "./messages.js";

/** Lines, and whether they are still in the worker's message buffer (to give back once taken). */
interface MessageLines extends Lines { inMessage: boolean }

export class EndedLineRuns implements RunKind<MessageLines, Uint8Array> {
  private converter: EndedLinesWriter | null = null;

  /** `format`: the WebAssembly writer of the lines; `write` writes those it declines (the format's JS writer). */
  constructor(private readonly format: WasmLineFormat, private readonly write: LineWriter) {}

  receive(m: WorkerMessage, message: Received) {
    if (m.type === "lines") return linesRuns(m, message, (lines) => ({ ...lines, inMessage: true }));
    if (m.type !== "ended") throw new Error(`a scan worker sent ${m.type} for lines`);
    // A tracker instance on a memory of its own, used only for its line writer: made once needed.
    this.converter ??= new EndedLinesWriter(instantiateTracker(), this.format, () => this.write);
    const count = m.groups.reduce((n, g) => n + g.count, 0);
    const { bytes, ends, keys } = this.converter.lines(new Uint8Array(m.bytes, 0, m.length), count);
    message.left = 0; // the lines are copied out: the message's buffer goes back to its worker now
    return runsOf(m.groups, { bytes, ends, inMessage: false }, keys, message);
  }

  emit(items: RunItem<MessageLines>[]): Uint8Array {
    return copyLines(items, (run) => { if (run.data.inMessage) taken(run); });
  }
}
