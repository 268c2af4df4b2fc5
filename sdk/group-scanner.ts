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
import { endedGroups } from "./ended-groups.js";
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

  function groups(): AsyncGenerator<EndedGroup> {
    return endedGroups(inputs, options, threads, summaries, (ended) => { timeline = ended; });
  }

  return {
    groups,
    captures: () => summaries,
    timeline: () => {
      if (!timeline) throw new Error("timeline() is available once the scan has read all its input (not after a loop left early)");
      return timeline;
    },
  };
}
