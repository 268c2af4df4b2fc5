// Progress on standard error while a long capture is read: a bar, bytes, MB/s and ETA. Only
// on a terminal; redrawn at most ten times a second; erased when done, and on every other way
// out: Ctrl-C (SIGINT), SIGTERM, SIGHUP, or the process exiting on an error.

import { constants } from "node:os";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export class Progress {
  private readonly start = performance.now();
  private last = 0;
  private shown = false;
  private readonly onExit = () => this.erase();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.done();
    // Then end as the signal would have: status 128 + its number (130 for Ctrl-C), as a shell
    // reports it. (Raising it again is not reliable: Node may still be catching it.)
    process.exit(128 + (constants.signals[signal] ?? 0));
  };

  constructor(private readonly total: number | null, private readonly stream: NodeJS.WriteStream = process.stderr) {
    process.on("exit", this.onExit);
    for (const s of SIGNALS) process.once(s, this.onSignal);
  }

  update(bytes: number): void {
    const now = performance.now();
    if (now - this.last < 100) return;
    this.last = now;
    const seconds = (now - this.start) / 1000;
    const rate = seconds > 0 ? bytes / seconds : 0;
    const mb = (n: number) => `${(n / 1e6).toFixed(n >= 1e9 ? 0 : 1)} MB`;
    let line: string;
    if (this.total) {
      const fraction = Math.min(1, bytes / this.total);
      const width = 30;
      const filled = Math.round(fraction * width);
      const eta = rate > 0 ? (this.total - bytes) / rate : 0;
      line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${mb(bytes)} of ${mb(this.total)}  ${(rate / 1e6).toFixed(0)} MB/s  ETA ${formatEta(eta)}`;
    } else {
      line = `${mb(bytes)} read  ${(rate / 1e6).toFixed(0)} MB/s`;
    }
    this.stream.write(`\r${line}\x1b[K`);
    this.shown = true;
  }

  /** Erases the bar and stops watching for signals (idempotent). */
  done(): void {
    this.erase();
    process.removeListener("exit", this.onExit);
    for (const s of SIGNALS) process.removeListener(s, this.onSignal);
  }

  private erase(): void {
    if (!this.shown) return;
    this.shown = false;
    this.stream.write("\r\x1b[K");
  }
}

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
