// Starts the scan's worker threads before anything else is loaded. A worker takes 60-160 ms to
// boot (Node compiles its internal modules in each new thread), and the decoder, once it has
// filled the ring, waits for it: every millisecond it starts earlier comes off a scan's time.
// The command line is only glanced at here: a scan starts any worker this guessed too few of
// when it takes them (worker-pool.ts), and an idle worker never holds the process.

import { prestartScanWorkers } from "../sdk/parallel/worker-pool.js";
import { scanThreads } from "./threads.js";
import { totalSize } from "./input-size.js";

const NO_SCAN = new Set(["info", "--help", "-h", "--version", "-v"]);
// Options followed by a value (the others are flags): what follows them is not a capture.
const TAKES_VALUE = new Set(["--format", "-o", "--output", "--filter", "--server-ports", "--top", "--max-half-open", "--max-connections", "--threads"]);

/** The worker threads a scan with these arguments will use, or 0 when it is surely no scan. */
export function guessScanWorkers(args: readonly string[]): number {
  let threads: string | undefined;
  const captures: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    if (NO_SCAN.has(arg) || arg === "--ladder" || arg.startsWith("--ladder=")) return 0;
    if (arg === "--threads") threads = args[k + 1];
    else if (arg.startsWith("--threads=")) threads = arg.slice("--threads=".length);
    if (TAKES_VALUE.has(arg)) k++;
    else if (arg === "-" || !arg.startsWith("-")) captures.push(arg);
  }
  try {
    return scanThreads(threads, captures.length > 0 ? totalSize(captures) : null) - 1;
  } catch {
    return 0; // a bad --threads: main() says so
  }
}

export function startScanWorkersEarly(args: readonly string[]): void {
  const workers = guessScanWorkers(args);
  if (workers > 0) prestartScanWorkers(workers);
}
