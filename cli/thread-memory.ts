// How many threads the command uses by default so that no flood takes it past the memory
// target. Each thread costs memory whatever the traffic (a worker's isolate and JavaScript heap,
// its tracker memory, its malloc arena and stack; docs/benchmarks.md, "Memory under floods"), and the
// connection state is bounded by --max-connections and --max-half-open whatever the thread
// count (each worker applies the whole bounds to the virtual shards it owns). The model, fitted
// to the largest peak RSS measured under 1.5 M-packet floods of every kind at 1-4 threads, the
// summary and ndjson (docs/benchmarks.md, "Memory under floods"; refitted after round 19's memory cuts):
//
//   peak ≈ FIXED_MB + PER_THREAD_MB × threads (+ LINE_WORKERS_MB from three threads)
//          + the state the bounds allow
//
// From three threads the workers build the records and write the lines (each its own line
// chunks and an 8 MB young generation): ndjson peaked ~60 MB above two threads, not ~25. A
// connection record costs ~0.85 kB at the peak (a flood of two-packet connections filling
// --max-connections peaked ~10 MB above a one-packet flood) and a one-packet connection ~150
// bytes. At the default bounds (40 MB of state) that is 139 MB for one thread, 163 for two,
// 234 for three, 258 for four (measured: 139, 163, 224, 261): two threads by default, three
// only with bounds of at most ~6 MB of state (--max-connections 3000 --max-half-open 15000:
// 187-195 MB measured; 5000 and 20000, 7 MB: 190-201). Bounds raised above their defaults are
// the user's choice of more memory and do not lower the count below what the defaults allow.

import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HALF_OPEN } from "../sdk/connections/tracker-options.js";

export const MEMORY_TARGET_MB = 200;
export const FIXED_MB = 75;
export const PER_THREAD_MB = 24;
export const LINE_WORKERS_MB = 47;
const RECORD_MB = 0.85 / 1024;
const ONE_PACKET_MB = 0.15 / 1024;

/** A bound as the command line gives it ("none", a count, or nothing: the default). */
function bound(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, fallback) : fallback;
}

/** The connection state the bounds allow, in MB (at most what the default bounds allow). */
export function stateMb(maxConnections?: unknown, maxHalfOpen?: unknown): number {
  return bound(maxConnections, DEFAULT_MAX_CONNECTIONS) * RECORD_MB + bound(maxHalfOpen, DEFAULT_MAX_HALF_OPEN) * ONE_PACKET_MB;
}

/** The modelled flood peak in MB with `threads` threads and `state` MB of connection state. */
export function modelPeakMb(threads: number, state: number): number {
  return FIXED_MB + PER_THREAD_MB * threads + (threads >= 3 ? LINE_WORKERS_MB : 0) + state;
}

/** The most threads whose modelled flood peak stays within MEMORY_TARGET_MB (at least one). */
export function memoryThreads(maxConnections?: unknown, maxHalfOpen?: unknown): number {
  const state = stateMb(maxConnections, maxHalfOpen);
  let threads = 1;
  while (threads < 256 && modelPeakMb(threads + 1, state) <= MEMORY_TARGET_MB) threads++;
  return threads;
}
