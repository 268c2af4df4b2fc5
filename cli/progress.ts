// Progress on standard error while a long capture is read: a bar, bytes, MB/s and ETA. Only
// on a terminal; redrawn at most ten times a second; erased when done.

export class Progress {
  private readonly start = performance.now();
  private last = 0;
  private shown = false;

  constructor(private readonly total: number | null, private readonly stream: NodeJS.WriteStream = process.stderr) {}

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

  done(): void {
    if (this.shown) this.stream.write("\r\x1b[K");
  }
}

function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
