#!/usr/bin/env node
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { planStart, startScanWorkersEarly } from "./early-start.js";
import { setGcFlags } from "./gc-flags.js";
import { laterOptimisationFlag } from "./compile-flags.js";
import { loadMain, CODE_CACHE_ENV } from "./load-main.js";
import { EXIT_INTERNAL, EXIT_USAGE } from "./exit-codes.js";
import { missingDenoPermission } from "./deno-permissions.js";
import { sayError } from "./error-lines.js";
import { answerStatusSignal } from "./status-signal.js";
import { unsupportedRuntime } from "../sdk/runtime-version.js";

// A Node older than package.json's engines: one line (exit 1, as for a Node without WebAssembly),
// not the stack trace of the first API it lacks (load-main.ts's zlib.crc32, before --version even).
const tooOld = unsupportedRuntime();
if (tooOld !== null) {
  sayError(tooOld);
  process.exit(EXIT_INTERNAL);
}
// SIGUSR1 prints how far the command has got (Node would open its inspector on it): listened to
// first thing, so that only Node's own start-up, before any script, is left without the listener.
answerStatusSignal();

// Workers boot while the command line and the SDK load. The rest of the command is a bundle of
// its own (~590 kB, dist/cli/main.cjs), loaded only after: with it in this one, Node compiled it
// before any of this ran, and the worker started ~25 ms later (the first batch it tracked came at
// +136 ms instead of +102 on a two-thread scan, with the main thread waiting for it). It is
// CommonJS, loaded at once with V8's code cache for it (load-main.ts; scripts/cjs-import-meta-url.mjs).
// This entry is CommonJS too (dist/cli/bin.cjs): as an ES module, Node first set up its ES module
// loader, ~4 ms of every run (docs/benchmarks.md, round 30), hence no top-level await below.
// Under Deno without --allow-read or --allow-env: one line, before anything reads either.
const refused = missingDenoPermission(fileURLToPath(new URL(".", import.meta.url)), CODE_CACHE_ENV);
if (refused !== null) {
  sayError(refused);
  process.exit(EXIT_USAGE);
}
const plan = planStart(process.argv.slice(2));
const workersLoaded = startScanWorkersEarly(plan.workers);
// Write errors come back to the writes that failed (output.ts); unhandled, they would also be
// thrown as 'error' events. A closed standard error (2>&- or a closed pipe) just loses messages.
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});
const loaded = loadMain<typeof import("./main.js")>(new URL("./main.cjs", import.meta.url));
// The build (scripts/code-cache.mjs) runs a sample scan with this set, to write the code cache.
const cacheTo = process.env[CODE_CACHE_ENV];
// V8 flags only now, and not while the code cache is made: a flag set rejects the code caches (gc-flags.ts).
if (!cacheTo) {
  void workersLoaded.then(() => {
    setGcFlags();
    const later = laterOptimisationFlag(plan); // line scans with every core busy (compile-flags.ts)
    if (later) setFlagsFromString(later);
  });
}
// Until main() settles, the exit code says a bug: with nothing left to wait for before it did
// (the ES module entry's top-level await made Node exit 13 then), the process must not end as
// if all went well.
let settled = false;
process.exitCode = EXIT_INTERNAL;
process.once("beforeExit", () => {
  if (!settled) sayError("internal error (a bug: please report it): the command stopped before it finished");
});
void loaded.exports.main(process.argv).then((code) => {
  settled = true;
  process.exitCode = code;
  if (cacheTo) writeFileSync(cacheTo, loaded.codeCache() ?? new Uint8Array());
});
