// A worker that tracks the decoder's records in place reads memory the main thread has just
// written: each 64-byte line of a batch is in the other core's cache until this one asks for it.
// The tracker reads a packet's two lines with its work in between, so it waited out their
// transfers one after another; a loop of nothing but loads, one a line, has many of them in
// flight at once and leaves the batch in this core's cache (512 kB, half its L2) before the
// tracker starts. On the 96-byte short mix at two threads the worker's CPU fell ~10 % (docs/benchmarks.md,
// round 28); a load every 128 bytes (the adjacent line left to the hardware) saved less.

const LINE = 64;

/** What the loads read, kept so that the compiler cannot drop them as unused. */
let kept = 0;

/** Reads one byte of every 64-byte line of `bytes[0, length)`. */
export function touchLines(bytes: Uint8Array, length: number): void {
  kept = (kept + lineSum(bytes, length)) | 0;
}

// The loop alone: V8 compiles it while it runs (on-stack replacement), and an addition after it,
// never run by then, deoptimised that code at nearly every batch (8-12 times a scan).
function lineSum(bytes: Uint8Array, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i += LINE) sum += bytes[i]!;
  return sum;
}

/** For tests: what the loads read so far. */
export function touchedSum(): number {
  return kept;
}
