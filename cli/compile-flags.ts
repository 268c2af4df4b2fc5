// When V8 optimises the command's JavaScript later than by default, and why.
//
// V8 optimises a function once it has run enough bytecode (its interrupt budget: 67 584 bytes
// in Node 20), on background threads. A scan whose lines are written in WebAssembly (ndjson,
// csv, zeek, no --filter) leaves its JavaScript nothing to do per packet or per connection: it
// runs per batch of 4 096 packets. Still, V8 compiled ~80 of its functions on the 2 GB 96-byte
// short capture at two threads (275-293 ms of CPU), ~40 at full snaplen (~115 ms). With a
// thread on every core, that CPU comes out of the scan's own threads. A 30x budget leaves
// those functions in V8's baseline code and compiles the loops that do run per line or record
// all the same (README, "Threads and the record path", round 35): at two threads on two cores
// the full-snaplen wall 0.92x, the 96-byte 0.98x. With a core to spare it would not pay: at one
// thread on two cores the compiling was free and the unoptimised code cost the 300 MB 96-byte
// capture 1.09x. The summary (the default) and json run JavaScript per connection: not for them.

import { availableParallelism } from "node:os";
import { setFlagsFromString } from "node:v8";
import { parseCommandLine } from "./args.js";

/** The interrupt budget set for such scans (the default's ~30x: 4x and 15x gave less, 60x no more). */
export const LINE_SCAN_INTERRUPT_BUDGET = 2_000_000;

/**
 * Whether a command with these arguments, `workers` worker threads besides this one (as
 * guessScanWorkers guesses) on `cores` cores, is a scan that should optimise later: lines
 * written in WebAssembly, and a thread on every core.
 */
export function optimisesLater(args: readonly string[], workers: number, cores = availableParallelism()): boolean {
  if (workers < 1 || workers + 1 < cores) return false;
  try {
    const line = parseCommandLine(args);
    const f = line.flags;
    return line.command === "scan" && !line.help && !line.version && LINE_FORMATS.has(String(f.format))
      && f.filter === undefined && f.ladder === undefined && f.fromPartitions === undefined
      && process.env.TCP_SCAN_WASM_LINES !== "0"; // the JavaScript line writer (README, round 16)
  } catch {
    return false; // a usage error: main() says so
  }
}
const LINE_FORMATS = new Set(["ndjson", "csv", "zeek"]);

/** Sets the budget (like the GC flags, only once the code caches are loaded: gc-flags.ts). */
export function setLaterOptimisation(): void {
  setFlagsFromString(`--interrupt-budget=${LINE_SCAN_INTERRUPT_BUDGET}`);
}
