// --threads: how many threads a scan uses (default: the cores available, at most as many as
// keep a flood's peak memory within the target (thread-memory.ts), and one for small captures).
// More threads than cores are never used: each worker holds its own tracker memory and they
// would only take turns on the cores (--threads 64 on 2 cores took 4.7 s and 718 MB
// instead of 0.2 s); the command says so unless --quiet.

import { availableParallelism } from "node:os";
import { UsageError } from "./usage-error.js";
import { memoryThreads } from "./thread-memory.js";

/**
 * Below this many bytes of capture (all files together), the default is one thread: a worker
 * takes 60-160 ms to start, more than it saves on a scan that takes a few tenths of a second.
 */
export const SMALL_CAPTURE_BYTES = 64 << 20;

export interface ThreadChoice {
  threads: number;
  /** Set when --threads asked for more than the cores: what was asked. */
  cappedFrom?: number;
}

/**
 * `inputBytes`: the captures' total size, or null when unknown (standard input, a pipe);
 * `memoryCap`: the most threads the default may use (memoryThreads() of the bounds given).
 */
export function chooseThreads(flag: unknown, inputBytes: number | null = null, cores = availableParallelism(), memoryCap = memoryThreads()): ThreadChoice {
  if (flag === undefined && inputBytes !== null && inputBytes < SMALL_CAPTURE_BYTES) return { threads: 1 };
  if (flag === undefined) return { threads: Math.min(cores, memoryCap) };
  const asked = Number(flag);
  if (!/^\d+$/.test(String(flag)) || !Number.isInteger(asked) || asked < 1 || asked > 256) {
    throw new UsageError(`--threads: "${flag}" is not a number of threads (1 to 256)`);
  }
  return asked > cores ? { threads: cores, cappedFrom: asked } : { threads: asked };
}

/** The thread count alone (see chooseThreads). */
export function scanThreads(flag: unknown, inputBytes: number | null = null, cores = availableParallelism(), memoryCap = memoryThreads()): number {
  return chooseThreads(flag, inputBytes, cores, memoryCap).threads;
}
