// Connection records written as lines (ndjson, or a format registered in line-formats.ts),
// in the scanner's order, as chunks of text. From three threads on, the workers build, filter
// and write the lines of the connections they track (parallel/lines-worker.ts) and this thread
// reads, decodes and merges their bytes (a format their script does not have, registered on
// this thread alone, they send as connection bytes for this thread to write: parallel/
// ended-line-runs.ts); with two, one worker tracks and this thread writes the lines from the
// connections' bytes (for a format with a WebAssembly writer, unfiltered, in WebAssembly, and the
// worker writes a message's lines itself while this thread is behind or the bound, or while its
// own waits cover them: parallel/scan-worker.ts; else every line in JS); with one, this thread
// does it all. The output is the same for any thread count.
//
// Why the JS formats keep the main thread's way at two threads: there, this thread's reading,
// decoding and lines and the worker's tracking are about even; a line written in JavaScript in
// the worker's isolate costs it more (its own JIT), and the worker becomes the bound (measured:
// docs/benchmarks.md, "Threads and the record path"). Lines written in WebAssembly cost the worker little.

import type { CaptureInput } from "../decoder/capture-input.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import type { Timeline } from "../report/capture-report.js";
import { checkInputs, checkLineSpec, checkScanOptions } from "../options.js";
import type { ScanOptions } from "../scan.js";
import { trackConnections } from "../connections/track.js";
import { linesInWorkers, trackInWorkers, wasmLinesFromWorkers } from "../parallel/parallel-tracker.js";
import { wasmLineFormat, lineWriter, type LineSpec } from "./line-formats.js";
import { wasmLinesEnabled } from "./wasm-lines.js";
import { ByteSink } from "./byte-sink.js";
import { bytesPerRecord } from "../decoder/packet-estimate.js";
import { mainShareFor } from "../parallel/main-share.js";

/** The thread count from which the workers write the lines. */
export const LINE_WORKERS_FROM = 3;

export interface LineScanner {
  /**
   * The lines, in order, as chunks of UTF-8 bytes; iterate once. With `reuse`, a chunk holds
   * only until the next one is asked for (the next is written into the same memory): for a
   * caller that writes each chunk out before it goes on, as the command does, which spares a
   * copy and an allocation per chunk, and the memory dead chunks hold until V8 collects them.
   */
  chunks(options?: { reuse?: boolean }): AsyncGenerator<Uint8Array>;
  /** One summary per input read so far; complete once iteration has ended. */
  captures(): CaptureSummary[];
  /** The capture clock's largest gap and backward steps; once iteration has ended. */
  timeline(): Timeline;
}

/**
 * Scans like createScanner (without the report) and writes each connection as `spec` says.
 * `threads` (default 1) counts every thread: from 3 on, its n - 1 workers track, build and
 * write, and this thread reads, decodes and merges.
 */
export function createLineScanner(input: CaptureInput | CaptureInput[], given: ScanOptions | undefined, spec: LineSpec): LineScanner {
  checkInputs(input);
  checkScanOptions(given);
  const options = given ?? {}; // (as scan() and createScanner() take it)
  checkLineSpec(spec);
  const write = lineWriter(spec, options); // an unknown format or a bad filter fails here, not in a worker
  const inputs = Array.isArray(input) ? input : [input];
  const threads = options.threads ?? 1;
  const summaries: CaptureSummary[] = [];
  let timeline: Timeline | null = null;

  // A format with a WebAssembly writer, unfiltered: the lines written in WebAssembly (wasm-lines.ts),
  // the same bytes, at any thread count: by the thread that writes the lines.
  const wasmLines = options.tracker !== "typescript" && wasmLinesEnabled() ? wasmLineFormat(spec) : undefined;
  const inWorkers = threads >= LINE_WORKERS_FROM || (wasmLines !== undefined && threads === 2);
  const ended = (t: Timeline) => { timeline = t; };

  async function* onMain(reuse: boolean): AsyncGenerator<Uint8Array> {
    const groups = threads > 1
      ? trackInWorkers(inputs, options, threads - 1, summaries)
      : trackConnections(inputs, wasmLines ? { ...options, wasmLines } : options, summaries);
    const out = new ByteSink();
    for await (const group of whileRead(groups, ended)) {
      group.writeLines(out, write);
      if (out.length) yield reuse ? out.takeView() : out.takeCopy();
      options.signal?.throwIfAborted();
    }
  }

  async function* workers(reuse: boolean): AsyncGenerator<Uint8Array> {
    // Two threads, lines in WebAssembly: the worker tracks (on short connections the busier thread)
    // and this thread writes the lines from its connections' bytes, but for the messages the
    // worker writes itself when it has room (parallel/scan-worker.ts); from three, each worker
    // writes its own.
    const source = wasmLines && threads === 2
      ? wasmLinesFromWorkers(inputs, options, threads - 1, summaries, spec, wasmLines, { reuse, mainShare: mainShare(inputs) })
      : linesInWorkers(inputs, options, threads - 1, summaries, spec, { wasmLines, reuse });
    for await (const chunk of whileRead(source, ended)) {
      if (chunk.length) yield chunk;
      // The workers' next chunk may be here already, with no read left to check the signal.
      options.signal?.throwIfAborted();
    }
  }

  let started = false;
  return {
    chunks: ({ reuse = false } = {}) => {
      // A second pass would read a stream already read (no lines) and add to captures().
      if (started) throw new Error("a line scanner's chunks() can be iterated only once");
      started = true;
      return inWorkers ? workers(reuse) : onMain(reuse);
    },
    captures: () => summaries,
    timeline: () => {
      if (!timeline) throw new Error("timeline() is available once the scan has read all its input (not after a loop left early)");
      return timeline;
    },
  };
}

/**
 * What `source` yields, then its timeline to `end`. Also when the caller leaves its loop (the
 * output failed), `source` is stopped: its workers stop and its memory is freed.
 */
async function* whileRead<T>(source: AsyncGenerator<T, Timeline>, end: (t: Timeline) => void): AsyncGenerator<T> {
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) return end(next.value);
      yield next.value;
    }
  } finally {
    await source.return(undefined as unknown as Timeline);
  }
}

// The main thread's share of the flows at two threads, by the captures' bytes a record (none for
// a stream or bytes in memory, whose records cannot be sampled first).
function mainShare(inputs: CaptureInput[]): number {
  const files = inputs.filter((i): i is string => typeof i === "string");
  return files.length === inputs.length ? mainShareFor(bytesPerRecord(files)) : 0;
}
