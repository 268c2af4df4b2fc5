// Starts the scan's worker threads before anything else is loaded. A worker takes 60-160 ms to
// boot (Node compiles its internal modules in each new thread), and the decoder, once it has
// filled the ring, waits for it: every millisecond it starts earlier comes off a scan's time.
// The command line is only glanced at here; main() parses it properly and starts whatever this
// guessed wrong (an idle worker never holds the process).

import { availableParallelism } from "node:os";
import { prestartScanWorkers } from "../sdk/parallel/worker-pool.js";

const NO_SCAN = new Set(["info", "--help", "-h", "--version", "-v"]);

/** The worker threads a scan with these arguments will use, or 0 when it is surely no scan. */
export function guessScanWorkers(args: readonly string[]): number {
  let threads = availableParallelism();
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (NO_SCAN.has(arg) || arg === "--ladder" || arg.startsWith("--ladder=")) return 0;
    if (arg === "--threads") threads = Number(args[k + 1]);
    else if (arg.startsWith("--threads=")) threads = Number(arg.slice("--threads=".length));
  }
  return Number.isInteger(threads) && threads > 1 && threads <= 256 ? threads - 1 : 0;
}

export function startScanWorkersEarly(args: readonly string[]): void {
  const workers = guessScanWorkers(args);
  if (workers > 0) prestartScanWorkers(workers);
}
