// Waiting that an AbortSignal can cut short: a scan stopped by its signal or by close() must not
// sit on a read that never completes (a pipe nobody writes to) or on a worker's next message.

/** `promise`, or a rejection with the signal's reason as soon as it aborts. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => { signal.removeEventListener("abort", onAbort); resolve(value); },
      (error) => { signal.removeEventListener("abort", onAbort); reject(error); },
    );
  });
}

/**
 * What stops a scanner: its close(), or the caller's AbortSignal. `signal` aborts on either,
 * with close()'s reason or the caller's. The caller's signal is held here, for as long as the
 * scanner is: AbortSignal.any() holds its sources only weakly, and an `AbortSignal.timeout()`
 * written inline in the options (nothing else referencing it) was garbage-collected during a
 * long scan, after which its timer fires into nothing: the scan was never stopped.
 */
export class ScanStop {
  readonly signal: AbortSignal;
  private readonly closer = new AbortController();
  /** Held, not read: see above. */
  readonly caller: AbortSignal | undefined;

  constructor(caller: AbortSignal | undefined, private readonly closedReason: Error) {
    this.caller = caller;
    this.signal = caller ? AbortSignal.any([caller, this.closer.signal]) : this.closer.signal;
  }

  /** Stopped by close() (a stop that ends the scan quietly, not by throwing). */
  get closed(): boolean {
    return this.closer.signal.aborted;
  }

  /** True once close() was called; throws the caller's signal's reason once that aborted; else false. */
  stopped(): boolean {
    if (!this.signal.aborted) return false;
    if (this.closed) return true;
    throw this.signal.reason;
  }

  close(): void {
    if (!this.closer.signal.aborted) this.closer.abort(this.closedReason);
  }

  /** The error close() ends the scan with inside (caught, not thrown to the caller). */
  isClose(error: unknown): boolean {
    return error === this.closedReason;
  }
}
