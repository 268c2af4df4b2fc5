// How many threads the command uses by default so that no flood takes it past the memory
// target. Each thread costs memory whatever the traffic (a worker's isolate and JavaScript heap,
// its tracker memory, its malloc arena and stack; docs/benchmarks.md, "Memory under floods"), and the
// connection state is bounded by --max-connections and --max-half-open whatever the thread
// count (each worker applies the whole bounds to the virtual shards it owns). The model, fitted
// to the largest peak RSS measured under 1.5 M-packet floods of every kind at 1-4 threads, the
// summary and ndjson (docs/benchmarks.md, "Memory under floods"; refitted after round 19's memory cuts).
// Its figures are MiB (2^20 bytes: what getrusage and /usr/bin/time report, in KiB), the target
// 200 MB (decimal, as issue 16 states it): 190.7 MiB.
//
//   peak ≈ FIXED_MIB + PER_THREAD_MIB × threads (+ LINE_WORKERS_MIB from three threads)
//          + the state the bounds allow
//
// From three threads the workers build the records and write the lines (each its own line
// chunks and an 8 MB young generation): ndjson peaked ~60 MiB above two threads, not ~25. A
// connection record costs ~0.85 kB at the peak (a flood of two-packet connections filling
// --max-connections peaked ~10 MiB above a one-packet flood) and a one-packet connection ~150
// bytes. At the default bounds (40 MiB of state) that is 139 MiB for one thread, 163 for two,
// 234 for three, 258 for four (measured: 139, 163, 224, 261): two threads by default. Three
// would need under ~-4 MiB of state: with --max-connections 3000 --max-half-open 15000 (~5 MiB)
// three threads peaked at 187-195 MiB, 196-204 MB, past the target, so three are never the
// default (until 2026-12-07 the model took the target as 200 MiB and allowed them). Bounds
// raised above their defaults are the user's choice of more memory and do not lower the count
// below what the defaults allow.

import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HALF_OPEN } from "../sdk/connections/tracker-options.js";

/** The target as the help and README state it: decimal MB. */
export const MEMORY_TARGET_MB = 200;
/** The same in MiB, the unit the model's figures and the measured peaks are in. */
export const MEMORY_TARGET_MIB = (MEMORY_TARGET_MB * 1e6) / 2 ** 20;
export const FIXED_MIB = 75;
export const PER_THREAD_MIB = 24;
export const LINE_WORKERS_MIB = 47;
const RECORD_MIB = 0.85 / 1024;
const ONE_PACKET_MIB = 0.15 / 1024;

/** A bound as the command line gives it ("none", a count, or nothing: the default). */
function bound(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, fallback) : fallback;
}

/** The connection state the bounds allow, in MiB (at most what the default bounds allow). */
export function stateMib(maxConnections?: unknown, maxHalfOpen?: unknown): number {
  return bound(maxConnections, DEFAULT_MAX_CONNECTIONS) * RECORD_MIB + bound(maxHalfOpen, DEFAULT_MAX_HALF_OPEN) * ONE_PACKET_MIB;
}

/** The modelled flood peak in MiB with `threads` threads and `state` MiB of connection state. */
export function modelPeakMib(threads: number, state: number): number {
  return FIXED_MIB + PER_THREAD_MIB * threads + (threads >= 3 ? LINE_WORKERS_MIB : 0) + state;
}

/** The most threads whose modelled flood peak stays within the target (at least one). */
export function memoryThreads(maxConnections?: unknown, maxHalfOpen?: unknown): number {
  const state = stateMib(maxConnections, maxHalfOpen);
  let threads = 1;
  while (threads < 256 && modelPeakMib(threads + 1, state) <= MEMORY_TARGET_MIB) threads++;
  return threads;
}
