// Progress on standard error while a long capture is read: a bar, bytes, MB/s and ETA. Only
// on a terminal; redrawn at most ten times a second, cut to the terminal's width (read at each
// redraw: a resized window gets lines that fit it); erased when done, and on every other way
// out: Ctrl-C (SIGINT), SIGTERM, SIGHUP, SIGQUIT, or the process exiting on an error. Whatever else is
// written to the terminal meanwhile (a warning, data written onto it) first clears the bar's
// line (clearProgressLine), or it would start behind the bar; the next redraw puts the bar
// back below it.

import { constants } from "node:os";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;
const BAR_WIDTH = 30;
/** Narrower than this, the bar itself is left out and only the figures are shown. */
const MIN_BAR_WIDTH = 10;
/** At most one redraw in this many milliseconds. */
const REDRAW_MS = 100;

/** The bar drawn on the terminal now, if any. */
let onScreen: Progress | null = null;

/** Erases the progress bar's line, if a bar is drawn, before something else is written to the terminal. */
export function clearProgressLine(): void {
  onScreen?.clear();
}

/**
 * The bytes read so far over every input, and every pass over them (a ladder of files reads them
 * twice), from reports that each count the bytes of the input being read: a count lower than the
 * one before is the next input's, which the scanners report from 0 as it starts.
 */
export function acrossInputs(): (storedBytesRead: number) => number {
  let before = 0, last = 0;
  return (read) => {
    if (read < last) before += last;
    last = read;
    return before + read;
  };
}

/** Where a ladder's reading is: which pass over the inputs, and the bytes read in it. */
export interface PassPosition { pass: number; inPass: number }

/**
 * The pass a report comes from (a ladder's: `pass` in it) and the bytes read in that pass over
 * every input; undefined for reports without a pass (a scan reads its inputs once). A ladder
 * draws in as many passes as memory asks for, and a pass may stop before the inputs' end.
 */
export function passPosition(): (storedBytesRead: number, pass?: number) => PassPosition | undefined {
  let current = 0, before = 0, last = 0;
  return (read, pass) => {
    if (pass === undefined) return undefined;
    if (pass !== current) [current, before, last] = [pass, 0, 0];
    if (read < last) before += last;
    last = read;
    return { pass, inPass: before + read };
  };
}

export class Progress {
  private readonly start = performance.now();
  private last = 0;
  private shown = false;
  // A count not yet drawn (REDRAW_MS since the last draw had not passed) and the timer that draws it.
  private pending: number | null = null;
  private pendingAt: PassPosition | undefined;
  private timer: NodeJS.Timeout | null = null;
  private readonly onExit = () => this.erase();
  // One listener a signal, each knowing its own (a runtime may call listeners without the name: Deno did).
  private readonly onSignals = SIGNALS.map((signal) => [signal, () => this.onSignal(signal)] as const);
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.done();
    // Then end as the signal would have, killed by it: a shell loop running the command stops at
    // Ctrl-C only then (bash goes on after a child that exited, even with 130). With no listener
    // left, Node has given the signal its default action back; another listener (the output's
    // temporary file, partition's directory) ends the process the same way once it has cleaned up.
    if (process.listenerCount(signal) > 0) return;
    process.kill(process.pid, signal);
    // Only where the default action did not end it: the status a shell would report.
    setTimeout(() => process.exit(128 + (constants.signals[signal] ?? 0)), 1000);
  };

  /**
   * `total`: the inputs' bytes; `passes`: how many times they are read (a ladder of files reads
   * them twice): update() then takes the bytes of every pass so far, and the line says which pass.
   */
  constructor(
    private readonly total: number | null, private readonly stream: NodeJS.WriteStream = process.stderr, private readonly passes = 1,
  ) {
    process.on("exit", this.onExit);
    for (const [s, listener] of this.onSignals) process.once(s, listener);
  }

  /** `bytes`: read so far, every pass's; `at`: the pass a ladder reads now, and its bytes. */
  update(bytes: number, at?: PassPosition): void {
    const now = performance.now();
    if (now - this.last < REDRAW_MS) {
      // Drawn once the interval is over: reading may stop here (a pipe with nothing more yet),
      // and a count dropped now would leave the bar unshown, or stale, until the next read.
      this.pending = bytes;
      this.pendingAt = at;
      this.timer ??= setTimeout(() => {
        this.timer = null;
        if (this.pending !== null) this.update(this.pending, this.pendingAt);
      }, REDRAW_MS - (now - this.last)).unref();
      return;
    }
    this.pending = null;
    this.last = now;
    // One column short of the width: a line that reaches the last column wraps on some
    // terminals, and "\r" then goes back to the start of the wrapped part only.
    const room = (this.stream.columns ?? 0) > 1 ? this.stream.columns - 1 : Infinity;
    const read = readingFigures(bytes, this.total, this.passes, (now - this.start) / 1000, at);
    let line = read.words;
    if (read.fraction !== null) {
      const width = Math.min(BAR_WIDTH, room - line.length - 3); // "[", "] "
      if (width >= MIN_BAR_WIDTH) {
        const filled = Math.round(read.fraction * width);
        line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${line}`;
      } else {
        line = line.trimStart();
      }
    }
    if (line.length > room) line = line.slice(0, room);
    this.stream.write(`\r${line}\x1b[K`);
    this.shown = true;
    onScreen = this;
  }

  /** Erases the bar; the next update draws it again. */
  clear(): void {
    this.erase();
  }

  /** Erases the bar and stops watching for signals (idempotent). */
  done(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
    this.erase();
    process.removeListener("exit", this.onExit);
    for (const [s, listener] of this.onSignals) process.removeListener(s, listener);
  }

  private erase(): void {
    if (onScreen === this) onScreen = null;
    if (!this.shown) return;
    this.shown = false;
    this.stream.write("\r\x1b[K");
  }
}

/**
 * How far the reading is, in words ("pass 1 of 2   61%  1220.7 MB of 2000.0 MB  412 MB/s  ETA 2s",
 * or "1220.7 MB read  412 MB/s" when the size is not known), and the fraction of the current pass
 * (null then): the bar's figures, and the line SIGUSR1 asks for (status-signal.ts).
 */
export function readingFigures(
  bytes: number, total: number | null, passes: number, seconds: number, at?: PassPosition,
): { words: string; fraction: number | null } {
  const rate = seconds > 0 ? bytes / seconds : 0;
  const mb = (n: number) => `${(n / 1e6).toFixed(n >= 1e9 ? 0 : 1)} MB`;
  if (!total) return { words: `${mb(bytes)} read  ${(rate / 1e6).toFixed(0)} MB/s`, fraction: null };
  // A report that says its pass (a ladder's) places it; else the bytes do, a pass a total.
  const pass = at?.pass ?? Math.min(passes, Math.floor(bytes / total) + 1);
  // A ladder's file that grew since its size was taken shows its last pass full (one pass
  // over a file that grows shows its bytes past its size, as it did).
  const inPass = Math.min(passes > 1 ? total : Infinity, at?.inPass ?? bytes - (pass - 1) * total);
  const fraction = Math.min(1, inPass / total);
  // Past the passes foreseen (a ladder whose drawn connections' packets did not fit at once in
  // memory), how many more is not known.
  const left = pass > passes ? Infinity : (passes - pass) * total + total - inPass;
  const eta = rate > 0 ? Math.max(0, left) / rate : Infinity; // "?" before any byte
  const which = passes > 1 ? (pass > passes ? `pass ${pass}  ` : `pass ${pass} of ${passes}  `) : "";
  return { words: `${which}${(fraction * 100).toFixed(0).padStart(3)}%  ${mb(inPass)} of ${mb(total)}  ${(rate / 1e6).toFixed(0)} MB/s  ETA ${formatEta(eta)}`, fraction };
}

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
