// The scan loop createScanner and createGroupScanner share: the tracker the thread count asks for
// (this thread alone, or worker threads tracking shards), its groups of ended connections in
// order with the empty ones skipped, the capture's timeline once it has ended, and the tracker
// stopped however the loop is left (a break, return or throw in the consumer's `for await` stops
// the workers and gives the memory back).

import type { CaptureInput } from "./decoder/capture-input.js";
import type { CaptureSummary } from "./decoder/decode-capture.js";
import type { EndedGroup } from "./connections/ended-group.js";
import type { Timeline } from "./report/capture-report.js";
import type { ScanOptions } from "./scan.js";
import { trackConnections } from "./connections/track.js";
import { trackInWorkers } from "./parallel/parallel-tracker.js";

/**
 * Tracks `inputs` on `threads` threads (the options' count, checked already) and yields each
 * non-empty group as the tracker hands it on; `summaries` gets one summary per input as it is
 * read, and `onEnd` the timeline once every input has been tracked (not when the loop is left).
 */
export async function* endedGroups(
  inputs: CaptureInput[], options: ScanOptions, threads: number, summaries: CaptureSummary[],
  onEnd: (timeline: Timeline) => void,
): AsyncGenerator<EndedGroup, void> {
  const source = threads > 1
    ? trackInWorkers(inputs, options, threads - 1, summaries)
    : trackConnections(inputs, options, summaries);
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) {
        onEnd(next.value);
        return;
      }
      if (next.value.count > 0) yield next.value;
    }
  } finally {
    await source.return(undefined as unknown as Timeline);
  }
}
