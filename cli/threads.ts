// --threads: how many threads a scan uses (default: the cores available, at most as many as
// keep a flood's peak memory within the target (thread-memory.ts), and one for captures of few
// packets).
// More threads than cores are never used: each worker holds its own tracker memory and they
// would only take turns on the cores (--threads 64 on 2 cores took 4.7 s and 718 MB
// instead of 0.2 s); the command says so unless --quiet.

import { availableParallelism } from "node:os";
import { UsageError } from "./usage-error.js";
import { memoryThreads } from "./thread-memory.js";

/**
 * Below this many packets (estimated from the captures' start: sdk/decoder/packet-estimate.ts),
 * the default is one thread: a worker takes 60-160 ms to start, more than it saves on a scan that
 * takes a few tenths of a second. Measured at rest (2026-12-03, best of 5, ndjson): full-snaplen short
 * traffic of 0.36 M packets (0.3 GB) 0.26 s at one thread against 0.27 at two, 0.60 M (0.5 GB)
 * 0.34 against 0.35, 1.2 M (1 GB) 0.60 against 0.52; 0.24 M (0.2 GB) 0.20 against 0.25; 96-byte
 * traffic of 2 M packets (0.2 GB) 0.70 against 0.61. Past 64 MB of a 96-byte capture (~0.64 M).
 */
export const SMALL_CAPTURE_PACKETS = 600_000;
/** Below this many bytes, when the packets cannot be estimated (a compressed capture): one thread. */
export const SMALL_CAPTURE_BYTES = 64 << 20;

export interface ThreadChoice {
  threads: number;
  /** Set when --threads asked for more than the cores: what was asked. */
  cappedFrom?: number;
}

/**
 * `inputBytes`: the captures' total size, or null when unknown (standard input, a pipe);
 * `memoryCap`: the most threads the default may use (memoryThreads() of the bounds given);
 * `packets`: the captures' estimated packets (estimatedPackets()), or null when unknown.
 */
export function chooseThreads(
  flag: unknown, inputBytes: number | null = null, cores = availableParallelism(), memoryCap = memoryThreads(), packets: number | null = null,
): ThreadChoice {
  if (flag === undefined && isSmall(inputBytes, packets)) return { threads: 1 };
  if (flag === undefined) return { threads: Math.min(cores, memoryCap) };
  const asked = Number(flag);
  if (!/^\d+$/.test(String(flag)) || !Number.isInteger(asked) || asked < 1 || asked > 256) {
    throw new UsageError(`--threads: "${flag}" is not a number of threads (1 to 256)`);
  }
  return asked > cores ? { threads: cores, cappedFrom: asked } : { threads: asked };
}

/** The thread count alone (see chooseThreads). */
export function scanThreads(
  flag: unknown, inputBytes: number | null = null, cores = availableParallelism(), memoryCap = memoryThreads(), packets: number | null = null,
): number {
  return chooseThreads(flag, inputBytes, cores, memoryCap, packets).threads;
}

// Small by the packets when they could be estimated, else by the bytes.
function isSmall(inputBytes: number | null, packets: number | null): boolean {
  if (packets !== null) return packets < SMALL_CAPTURE_PACKETS;
  return inputBytes !== null && inputBytes < SMALL_CAPTURE_BYTES;
}
