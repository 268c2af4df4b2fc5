// SIGUSR1 asks the command how far it has got, as it asks dd: one line on standard error,
// whatever standard error is (a log file, a pipe, a terminal under the progress bar). Without a
// listener, Node answers that signal by opening its inspector: a debugger listening on
// 127.0.0.1:9229 for the rest of the run, which no user of this command asked for.

import { clearProgressLine, readingFigures, type PassPosition } from "./progress.js";
import { sayError } from "./error-lines.js";

interface Reading { total: number | null; passes: number; start: number; bytes: number; at?: PassPosition }

// The entry (bin.cjs) and the rest of the command (main.cjs) are two bundles, each with its own
// copy of this module and of progress.ts: what they share is kept on globalThis. The entry
// listens from its first moment; main.cjs's copy then answers, as its progress bar is the one drawn.
interface Shared { reading: Reading | null; answer: (() => void) | null }
const now = ((globalThis as Record<symbol, unknown>)[Symbol.for("tcp-handshake-scan.status")] ??= { reading: null, answer: null }) as Shared;

/**
 * Answers SIGUSR1, and SIGUSR2, with a status line from now on, this copy's way (the listeners do
 * not keep the process alive). SIGUSR2 is for Deno: from 2.9.2 it opens its inspector on SIGUSR1
 * whatever listens, and no option turns that off.
 */
export function answerStatusSignal(): void {
  if (now.answer === null) {
    process.on("SIGUSR1", () => now.answer?.());
    process.on("SIGUSR2", () => now.answer?.());
  }
  now.answer = sayStatus;
}

/**
 * A scan starts reading `total` bytes of inputs (null: not known), `passes` times: the line then
 * says how far it is. Returns what takes each count of the bytes read so far (every pass's).
 */
export function readingStarted(total: number | null, passes: number): (bytes: number, at?: PassPosition) => void {
  const reading: Reading = { total, passes, start: performance.now(), bytes: 0 };
  now.reading = reading;
  return (bytes, at) => {
    reading.bytes = bytes;
    reading.at = at;
  };
}

/** The reading is over (the line then gives the time only). */
export function readingEnded(): void {
  now.reading = null;
}

/** The line SIGUSR1 prints: "tcp-handshake-scan: 61%  1220.7 MB of 2000.0 MB  412 MB/s  ETA 2s  after 3.0 s". */
export function statusLine(): string {
  const at = `${process.uptime().toFixed(1)} s`;
  const reading = now.reading;
  if (!reading) return `running for ${at}`;
  return `${readingFigures(reading.bytes, reading.total, reading.passes, (performance.now() - reading.start) / 1000, reading.at).words.trimStart()}  after ${at}`;
}

function sayStatus(): void {
  clearProgressLine(); // the next redraw puts the bar back below the line
  sayError(statusLine());
}
