// --threads: how many threads a scan uses (default: the cores available, but one for small
// captures).

import { availableParallelism } from "node:os";
import { UsageError } from "./usage-error.js";

/**
 * Below this many bytes of capture (all files together), the default is one thread: a worker
 * takes 60-160 ms to start, more than it saves on a scan that takes a few tenths of a second.
 */
export const SMALL_CAPTURE_BYTES = 64 << 20;

/** `inputBytes`: the captures' total size, or null when unknown (standard input). */
export function scanThreads(flag: unknown, inputBytes: number | null = null): number {
  if (flag === undefined && inputBytes !== null && inputBytes < SMALL_CAPTURE_BYTES) return 1;
  const threads = Number(flag ?? availableParallelism());
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new UsageError(`--threads: "${flag}" is not a number of threads (1 to 256)`);
  return threads;
}
