// Lines of connections a worker may send either as bytes (ended-bytes.ts), which this thread
// writes as lines as each message arrives (ended-lines.ts), or as lines it wrote itself; both are
// then merged by copying bytes as line-runs.ts does. Two cases:
// - Lines written in WebAssembly at two threads (ndjson, csv or zeek, unfiltered): the worker
//   sends bytes, and lines while this thread is behind or the bound, or while its own waits cover
//   writing them (scan-worker.ts, idle-credit.ts, decoder-bound.ts). The work goes to
//   whichever thread has room: on short connections the worker's tracking is the larger share,
//   on large packets this thread's reading (docs/benchmarks.md, "Threads and the record path").
// - From three threads: each worker writes its lines (lines-worker.ts) when its script has the
//   format's registration, else sends bytes throughout, and this thread writes them with its own
//   (in WebAssembly when the format has a writer there and is unfiltered, else in JS): a format
//   a program registered on its main thread alone.

import { instantiateTracker } from "../connections/tracker-module.js";
import type { LineWriter } from "../lines/line-formats.js";
import type { WasmLineFormat } from "../lines/wasm-lines.js";
import { EndedLinesWriter } from "./ended-lines.js";
import { ChunkBuffer, copyLines, linesRuns, type Lines } from "./line-runs.js";
import { runsOf, taken, type Received, type RunItem, type RunKind } from "./merge-runs.js";
import type { HandOffPeak, WorkerMessage } from "./messages.js";

export class EndedLineRuns implements RunKind<Lines, Uint8Array> {
  private converter: EndedLinesWriter | null = null;
  private readonly out: ChunkBuffer | null;
  // Buffers of lines this thread wrote, each kept for reuse once its lines are merged. All are
  // kept: one is made only when every one made before is waiting to be merged, so there are
  // never more than were waiting at once (~10 under a flood: a batch's 4 096 ended connections
  // go in 8 messages, merged once the batch is complete).
  private readonly spares: ArrayBuffer[] = [];

  /**
   * `format`: the WebAssembly writer of the lines (undefined: none); `write` writes the others
   * (the format's JS writer, its filter applied); `reuse`: each chunk emitted is written over by
   * the next (line-runs.ts, ChunkBuffer); `counts.lineBuffers`: how many buffers of lines it made
   * (for tests); `localNets`: the scan's, for the WebAssembly zeek writer's local_orig and local_resp.
   */
  constructor(
    private readonly format: WasmLineFormat | undefined, private readonly write: LineWriter, reuse = false,
    private readonly counts?: HandOffPeak, private readonly localNets?: readonly string[],
  ) {
    this.out = reuse ? new ChunkBuffer() : null;
  }

  receive(m: WorkerMessage, message: Received, records: WebAssembly.Memory) {
    if (m.type === "lines") return linesRuns(m, message);
    if (m.type !== "ended" && m.type !== "ended-in-place") throw new Error(`a scan worker sent ${m.type} for lines`);
    const count = m.groups.reduce((n, g) => n + g.count, 0);
    // A message that only says which batches are complete (a worker sends one when it waits for
    // the next batch): no lines. Its buffer of lines would have been handed on with nothing in it
    // to take, so never given back: under a flood, where every batch ends thousands of
    // connections, a 1 MB buffer lost and a new one grown from 256 kB each batch (~840 MB of
    // dead buffers over a 2 M-packet SYN flood, freed only at V8's next collection).
    if (count === 0) return [];
    // A tracker instance on a memory of its own, used only for its line writer: made once needed.
    // Its lines go into a buffer of their own, which comes back here once they are merged.
    this.converter ??= (this.made(), new EndedLinesWriter(
      this.format ? { tracker: instantiateTracker(), format: this.format, localNets: this.localNets } : null, () => this.write, () => this.spare()));
    // Copied from where the worker left them (its ended ring), or from the bytes it sent.
    const { bytes, ends, keys } = m.type === "ended-in-place"
      ? this.converter.linesFromRuns(records, m.at, m.counts, count)
      : this.converter.lines(new Uint8Array(m.bytes, 0, m.length), count);
    message.left = 0; // the lines are written: the message's buffer (or ring) goes back to its worker now
    const buffer = bytes.buffer as ArrayBuffer;
    const written: Received = {
      buffer, left: count, giveBack: () => { this.spares.push(buffer); },
    };
    return runsOf(m.groups, { bytes, ends }, keys, written);
  }

  private spare(): ArrayBuffer | undefined {
    const buffer = this.spares.pop();
    if (!buffer) this.made();
    return buffer;
  }

  private made(): void {
    if (this.counts) this.counts.lineBuffers = (this.counts.lineBuffers ?? 0) + 1;
  }

  emit(items: RunItem<Lines>[]): Uint8Array {
    return copyLines(items, taken, this.out);
  }
}
