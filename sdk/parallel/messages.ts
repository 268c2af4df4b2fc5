// What the main thread and the scan workers send each other.

import type { EndedGroup } from "../connections/track.js";
import type { CaptureSummary } from "../decoder/decode-capture.js";
import type { Timeline } from "../report/capture-report.js";
import type { ScanOptions } from "../scan.js";

export interface WorkerJob {
  inputs: (string | Uint8Array)[];
  options: ScanOptions;
  shard: { index: number; count: number };
}

export type WorkerMessage =
  /** Groups of ended connections; every batch below `upTo` is now complete. */
  | { type: "groups"; groups: EndedGroup[]; upTo: number }
  | { type: "done"; summaries: CaptureSummary[]; timeline: Timeline }
  | { type: "error"; message: string; code?: string; path?: string; stack?: string };
