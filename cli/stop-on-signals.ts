// A task that must clean up before the process ends (partition's temporary directory): SIGINT,
// SIGTERM, SIGHUP and SIGQUIT abort its AbortSignal instead of ending the process at once; once the task
// has stopped and cleaned up, end() ends the process as that signal (130 for Ctrl-C), as the
// signal's default action would have.

import { constants } from "node:os";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;

export interface SignalStop {
  /** Aborted when one of the signals comes. */
  readonly signal: AbortSignal;
  /** Stops listening; if a signal came, ends the process as that signal (resolves to its exit status if it could not). */
  end(): Promise<number | null>;
}

export function stopOnSignals(): SignalStop {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  const listeners = SIGNALS.map((name) => {
    const listener = () => { received ??= name; controller.abort(); };
    process.on(name, listener);
    return [name, listener] as const;
  });
  return {
    signal: controller.signal,
    async end() {
      // A signal that came during the last stretch of synchronous work is delivered now.
      await new Promise<void>((resolve) => setImmediate(resolve));
      for (const [name, listener] of listeners) process.removeListener(name, listener);
      if (received === null) return null;
      // With no listener left, the signal's default action ends the process.
      if (process.listenerCount(received) === 0) process.kill(process.pid, received);
      return 128 + constants.signals[received];
    },
  };
}
