// When V8 optimises the command's JavaScript later than by default, and why.
//
// V8 optimises a function once it has run enough bytecode (its interrupt budget: 67 584 bytes
// in Node 20), on background threads. A scan whose lines are written in WebAssembly (ndjson,
// csv, zeek, no --filter) leaves its JavaScript nothing to do per packet or per connection: it
// runs per batch of 4 096 packets. Still, V8 compiled ~80 of its functions on the 2 GB 96-byte
// short capture at two threads (275-293 ms of CPU), ~40 at full snaplen (~115 ms). With a
// thread on every core, that CPU comes out of the scan's own threads. A ~30x budget leaves
// those functions in V8's baseline code and still compiles the loops that run per line or
// record (docs/benchmarks.md, "Threads and the record path", round 35): at two threads on two cores the
// 2 GB full-snaplen capture's wall 0.961x, the 96-byte one's 0.973x, 300 MB 0.955x, 100 MB
// 0.932x. With a core to spare it does not pay: at one thread on two cores the compiling ran on
// the idle core for free, and the unoptimised code cost the 300 MB 96-byte capture 1.09x. The
// summary (the default) and json run JavaScript per connection: not for them.
//
// Only under the V8 it was measured with (Node 20's, 11.x): later V8s dropped the flag (V8
// prints an error for a flag it does not know: Deno's 15.0 does for this one), and tier up
// differently (Maglev).

import { availableParallelism } from "node:os";
import { jsLineWriterAsked, isLineFormat } from "./format/line-format-names.js";
import type { StartPlan } from "./early-start.js";

/** The interrupt budget set for such scans (~30x: 8x and 15x gave less on full snaplen, 60x no more). */
export const LINE_SCAN_INTERRUPT_BUDGET = 2_000_000;
const MEASURED_V8_MAJOR = 11;

/**
 * The V8 flag to set once start-up is over (with the GC flags: gc-flags.ts), or null: for a scan
 * (`plan`) that writes lines in WebAssembly with a thread on each of `cores` cores, under the V8
 * this was measured with (`v8`: its version).
 */
export function laterOptimisationFlag(
  plan: StartPlan, cores = availableParallelism(), v8 = process.versions.v8, env: NodeJS.ProcessEnv = process.env,
): string | null {
  const f = plan.line?.flags;
  // Workers guessed means a scan of captures (not --ladder, --from-partitions, help: early-start.ts).
  if (!f || plan.workers < 1 || plan.workers + 1 < cores) return null;
  if (!isLineFormat(String(f.format)) || f.filter !== undefined || jsLineWriterAsked(env)) return null;
  return Number.parseInt(v8, 10) === MEASURED_V8_MAJOR ? `--interrupt-budget=${LINE_SCAN_INTERRUPT_BUDGET}` : null;
}
