// The scan as createScanner runs it, handing out each group of connections that ended together
// as the trackers give it (connections/ended-group.ts: unpacked into a store's columns, or
// records already built), for a consumer that reads a few values of every connection and wants
// no record object for each (the command's text summary). Each group must be read before the
// next is asked for: the next is unpacked into the same store.

import type { CaptureInput } from "./decoder/capture-input.js";
import type { CaptureSummary } from "./decoder/decode-capture.js";
import type { EndedGroup } from "./connections/ended-group.js";
import type { Timeline } from "./report/capture-report.js";
import type { ScanOptions } from "./scan.js";
import { trackConnections } from "./connections/track.js";
import { trackInWorkers } from "./parallel/parallel-tracker.js";
import { checkInputs, checkScanOptions } from "./options.js";

export interface GroupScanner {
  /** The groups in the scanner's order (the order of createScanner's batches); iterate once. */
  groups(): AsyncGenerator<EndedGroup>;
  /** One summary per input read so far; complete once iteration has ended. */
  captures(): CaptureSummary[];
  /** The capture clock's largest gap and backward steps; once iteration has ended. */
  timeline(): Timeline;
}

export function createGroupScanner(input: CaptureInput | CaptureInput[], options: ScanOptions = {}): GroupScanner {
  checkInputs(input);
  checkScanOptions(options);
  const inputs = Array.isArray(input) ? input : [input];
  const threads = options.threads ?? 1;
  const summaries: CaptureSummary[] = [];
  let timeline: Timeline | null = null;

  async function* groups(): AsyncGenerator<EndedGroup> {
    const source = threads > 1
      ? trackInWorkers(inputs, options, threads - 1, summaries)
      : trackConnections(inputs, options, summaries);
    try {
      for (;;) {
        const next = await source.next();
        if (next.done) {
          timeline = next.value;
          return;
        }
        if (next.value.count > 0) yield next.value;
      }
    } finally {
      // Also when the caller leaves its loop (the output failed): the workers stop, the memory is freed.
      await source.return(undefined as unknown as Timeline);
    }
  }

  return {
    groups,
    captures: () => summaries,
    timeline: () => {
      if (!timeline) throw new Error("timeline() is available once iteration has ended");
      return timeline;
    },
  };
}
