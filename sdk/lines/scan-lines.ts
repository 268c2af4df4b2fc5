// Connection records written as lines (ndjson, or a format registered in line-formats.ts),
// in the scanner's order, as chunks of text. From three threads on, the workers build, filter
// and write the lines of the connections they track (parallel/lines-worker.ts) and this thread
// reads, decodes and merges their bytes; with two, one worker tracks and this thread writes
// every line from the connections' bytes; with one, this thread does it all. The output is the
// same for any thread count.
//
// Why not from two threads on: on two cores both ways keep both cores busy, and the records'
// way does less work (one tracker, one worker to start): see the README ("Threads, and where
// the time goes on short connections").

import type { CaptureInput } from "../decoder/capture-input.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import type { Timeline } from "../report/capture-report.js";
import { checkInputs, checkScanOptions } from "../options.js";
import type { ScanOptions } from "../scan.js";
import { trackConnections } from "../connections/track.js";
import { linesInWorkers, trackInWorkers } from "../parallel/parallel-tracker.js";
import { lineWriter, type LineSpec } from "./line-formats.js";
import { ByteSink } from "./byte-sink.js";

/** The thread count from which the workers write the lines. */
export const LINE_WORKERS_FROM = 3;

export interface LineScanner {
  /** The lines, in order, as chunks of UTF-8 bytes; iterate once. */
  chunks(): AsyncGenerator<Uint8Array>;
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
export function createLineScanner(input: CaptureInput | CaptureInput[], options: ScanOptions, spec: LineSpec): LineScanner {
  checkInputs(input);
  checkScanOptions(options);
  const write = lineWriter(spec); // an unknown format or a bad filter fails here, not in a worker
  const inputs = Array.isArray(input) ? input : [input];
  const threads = options.threads ?? 1;
  const summaries: CaptureSummary[] = [];
  let timeline: Timeline | null = null;

  async function* onMain(): AsyncGenerator<Uint8Array> {
    const groups = threads > 1
      ? trackInWorkers(inputs, options, threads - 1, summaries)
      : trackConnections(inputs, options, summaries);
    const out = new ByteSink();
    try {
      for (;;) {
        const next = await groups.next();
        if (next.done) {
          timeline = next.value;
          return;
        }
        const group = next.value;
        for (let k = 0; k < group.count; k++) group.writeLine(k, out, write);
        if (out.length) yield out.takeCopy();
        options.signal?.throwIfAborted();
      }
    } finally {
      // Also when the caller leaves its loop (the output failed): stops the workers, frees the memory.
      await groups.return(undefined as unknown as Timeline);
    }
  }

  async function* workers(): AsyncGenerator<Uint8Array> {
    const chunks = linesInWorkers(inputs, options, threads - 1, summaries, spec);
    try {
      for (;;) {
        const next = await chunks.next();
        if (next.done) {
          timeline = next.value;
          return;
        }
        if (next.value.length) yield next.value;
      }
    } finally {
      // Also when the caller leaves its loop (the output failed): stops the workers.
      await chunks.return(undefined as unknown as Timeline);
    }
  }

  return {
    chunks: () => (threads >= LINE_WORKERS_FROM ? workers() : onMain()),
    captures: () => summaries,
    timeline: () => {
      if (!timeline) throw new Error("timeline() is available once iteration has ended");
      return timeline;
    },
  };
}
