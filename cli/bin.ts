#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";
import { main } from "./main.js";

// The scan produces garbage at a steady rate (a record per connection) while its live data stays
// small; V8's default is to let the heap grow 2-4x before a full collection, which on long runs
// with worker threads (GC helpers then compete for the cores) took peak RSS from ~160 MB to
// 250-450 MB. A smaller growing factor keeps it near the live size. (Read at each GC, so it
// can be set now; unknown to a future V8, it would just be ignored.)
setFlagsFromString("--heap-growing-percent=20");

main(process.argv).then((code) => { process.exitCode = code; });
