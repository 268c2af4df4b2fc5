// Starts the scan's worker threads before anything else is loaded. A worker takes 60-160 ms to
// boot (Node compiles its internal modules in each new thread), and the decoder, once it has
// filled the ring, waits for it: every millisecond it starts earlier comes off a scan's time.
// The command line is parsed as main() parses it (args.ts); a scan starts any worker this
// guessed too few of when it takes them (worker-pool.ts), and an idle worker never holds the
// process.

import { prestartScanWorkers } from "../sdk/parallel/worker-pool.js";
import { parseCommandLine, type CommandLine } from "./args.js";
import { scanThreads } from "./threads.js";
import { totalSize } from "./input-size.js";
import { estimatedPackets } from "../sdk/decoder/packet-estimate.js";
import { memoryThreads } from "./thread-memory.js";

/** What the command's entry knows before main(): its command line parsed (null: a usage error) and the workers a scan will use. */
export interface StartPlan {
  line: CommandLine | null;
  /** Worker threads besides the main one; 0 when it is surely no scan or one thread. */
  workers: number;
}

/** The command line parsed once, as main() will parse it, and the workers guessed from it. */
export function planStart(args: readonly string[]): StartPlan {
  let line: CommandLine;
  try {
    line = parseCommandLine(args);
  } catch {
    return { line: null, workers: 0 }; // a usage error: main() says so
  }
  return { line, workers: scanWorkers(line) };
}

// The worker threads a scan with this command line will use, or 0 when it is surely no scan.
function scanWorkers(line: CommandLine): number {
  try {
    if (line.command !== "scan" || line.help || line.version || line.flags.ladder !== undefined || line.captures.length === 0) return 0;
    const cap = memoryThreads(line.flags.maxConnections, line.flags.maxHalfOpen);
    const packets = line.flags.threads === undefined ? estimatedPackets(line.captures) : null;
    return scanThreads(line.flags.threads, totalSize(line.captures), undefined, cap, packets) - 1;
  } catch {
    return 0; // a usage error (--threads x): main() says so
  }
}

/** Starts `workers` (planStart); resolves once they have loaded their script (at once when none was started). */
export function startScanWorkersEarly(workers: number): Promise<void> {
  return workers > 0 ? prestartScanWorkers(workers) : Promise.resolve();
}
