// The V8 flags the command sets for its garbage collection, and when: only once start-up is over.
//
// The scan produces garbage at a steady rate (a record per connection) while its live data stays
// small; V8's default is to let the heap grow 2-4x before a full collection, which on long runs
// with worker threads (GC helpers then compete for the cores) took peak RSS from ~160 MB to
// 250-450 MB. A smaller growing factor keeps it near the live size. Likewise the young
// generation: grown to 8 MB, it grows no further (young-generation.ts). Both are read at each
// collection, so they can be set while the process runs.
//
// But a flag set while the process runs changes V8's hash of its flags, and V8 then rejects every
// code cache made under the flags before: Node's own, for its internal modules, which a worker
// thread compiles as it boots (a bare worker started after such a flag took 38 ms to run its first
// line, against 19), and the main bundle's (main.cjs.cache, which the build makes under the
// default flags). Set first thing, as they were, the scan's worker took ~55 ms to load its
// script instead of ~28, while the decoder, its slots full, waited for it. So they are set once
// the main bundle is loaded and the started workers have loaded their script; and never by the
// build's run that writes the code cache (load-main.ts), which must match the default flags.

import { setFlagsFromString } from "node:v8";
import { capYoungGeneration } from "./young-generation.js";

/** Sets the command's garbage collection flags. */
export function setGcFlags(): void {
  // (A V8 that did not know a flag would print an error for it: Deno's V8 15.0 still knows this one.)
  setFlagsFromString("--heap-growing-percent=20");
  capYoungGeneration();
}
