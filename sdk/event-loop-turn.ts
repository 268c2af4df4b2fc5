// A regular file is read synchronously: a loop over it never waits for the event loop, so
// timers, signal handlers (Ctrl-C) and an AbortSignal aborted from them would run only once the
// whole file had been read. The decoder lets the event loop in every few MiB of a file read
// (some milliseconds of work; a turn costs microseconds), and so does the reduce task's bucket
// reader before each batch.

/** Bytes of a file read between two turns of the event loop. */
export const BYTES_PER_TURN = 4 << 20;

/** Resolves once the event loop has run what was waiting (timers, signals, messages). */
export function eventLoopTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
