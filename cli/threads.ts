// --threads: how many threads a scan uses (default: the cores available).

import { availableParallelism } from "node:os";
import { UsageError } from "./usage-error.js";

export function scanThreads(flag: unknown): number {
  const threads = Number(flag ?? availableParallelism());
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new UsageError(`--threads: "${flag}" is not a number of threads (1 to 256)`);
  return threads;
}
