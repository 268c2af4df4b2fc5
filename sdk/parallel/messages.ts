// What the main thread and the scan workers send each other.

import type { EndedGroup } from "../connections/track.js";
import type { Timeline } from "../report/capture-report.js";
import type { ScanOptions } from "../scan.js";
import type { RingBuffers } from "./batch-ring.js";

export interface WorkerJob {
  ring: RingBuffers;
  options: ScanOptions;
  shard: { index: number; count: number };
}

export type WorkerMessage =
  /** Groups of ended connections; every batch below `upTo` is now complete. */
  | { type: "groups"; groups: EndedGroup[]; upTo: number }
  | { type: "done"; timeline: Timeline }
  | { type: "error"; message: string; stack?: string };
