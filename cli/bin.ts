#!/usr/bin/env node
import { writeFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { startScanWorkersEarly } from "./early-start.js";
import { capYoungGeneration } from "./young-generation.js";
import { loadMain, CODE_CACHE_ENV } from "./load-main.js";

// The scan produces garbage at a steady rate (a record per connection) while its live data stays
// small; V8's default is to let the heap grow 2-4x before a full collection, which on long runs
// with worker threads (GC helpers then compete for the cores) took peak RSS from ~160 MB to
// 250-450 MB. A smaller growing factor keeps it near the live size. (Read at each GC, so it
// can be set now; unknown to a future V8, it would just be ignored.)
setFlagsFromString("--heap-growing-percent=20");
// Likewise the young generation: grown to 8 MB, it grows no further (see young-generation.ts).
capYoungGeneration();

// Write errors come back to the writes that failed (output.ts); unhandled, they would also be
// thrown as 'error' events. A closed standard error (2>&- or a closed pipe) just loses messages.
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});

// Workers boot while the command line and the SDK load. The rest of the command is a bundle of
// its own (~590 kB, dist/cli/main.cjs), loaded only after: with it in this one, Node compiled it
// before any of this ran, and the worker started ~25 ms later (the first batch it tracked came at
// +136 ms instead of +102 on a two-thread scan, with the main thread waiting for it). It is
// CommonJS, loaded at once with V8's code cache for it (load-main.ts; scripts/cjs-import-meta-url.mjs).
startScanWorkersEarly(process.argv.slice(2));
const loaded = loadMain<typeof import("./main.js")>(new URL("./main.cjs", import.meta.url));
process.exitCode = await loaded.exports.main(process.argv);
// The build (scripts/code-cache.mjs) runs a sample scan with this set, to write the code cache.
const cacheTo = process.env[CODE_CACHE_ENV];
if (cacheTo) writeFileSync(cacheTo, loaded.codeCache() ?? new Uint8Array());
