// How many threads the command uses by default so that no flood takes it past the memory
// target. Each thread costs memory whatever the traffic (a worker's isolate and JavaScript heap,
// its tracker memory, its malloc arena and stack; README, "Memory under floods"), and the
// connection state is bounded by --max-connections and --max-half-open whatever the thread
// count (each worker applies the whole bounds to the virtual shards it owns). The model, fitted
// to the largest peak RSS measured under 1.5 M-packet floods of every kind at 1-4 threads
// (README, "Memory under floods"):
//
//   peak ≈ FIXED_MB + PER_THREAD_MB × threads + the state the bounds allow
//
// where, at the peak, a connection record costs ~0.85 kB (a flood of two-packet connections
// filling --max-connections peaked ~10 MB above a one-packet flood) and a one-packet connection
// ~150 bytes. At the default bounds (40 MB of state) that is 157 MB for one thread, 193 for
// two, 229 for three, 265 for four (measured: 157, 190, 234, 266): two threads by default, three
// only with bounds of ~10 MB of state. Bounds raised above their defaults are the user's choice
// of more memory and do not lower the count below what the defaults allow.

import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HALF_OPEN } from "../sdk/connections/tracker-options.js";

export const MEMORY_TARGET_MB = 200;
export const FIXED_MB = 82;
export const PER_THREAD_MB = 36;
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

/** The most threads whose modelled flood peak stays within MEMORY_TARGET_MB (at least one). */
export function memoryThreads(maxConnections?: unknown, maxHalfOpen?: unknown): number {
  return Math.max(1, Math.floor((MEMORY_TARGET_MB - FIXED_MB - stateMb(maxConnections, maxHalfOpen)) / PER_THREAD_MB));
}
