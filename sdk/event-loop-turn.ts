// A regular file is read synchronously: a loop over its batches never waits for the event loop,
// so timers, signal handlers (Ctrl-C) and an AbortSignal aborted from them would run only once
// the whole capture had been read. The loops that read captures let the event loop in every
// few batches (~32 000 packets, some milliseconds of work; a turn costs microseconds).

/** Batches between two turns of the event loop. */
export const BATCHES_PER_TURN = 8;

/** Resolves once the event loop has run what was waiting (timers, signals, messages). */
export function eventLoopTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
