// node scripts/reoptimize-wasm.mjs NAME... — the last step of `npm run build:wasm`: each
// NAME.wat that asc wrote (its release build, already optimised at -O3) is optimised again with
// Binaryen's inliner allowed larger functions, and written as NAME.wasm over asc's binary.
//
// Why: asc gives the inliner at -O3 at most 70 instructions for a function with several
// callers and 200 for one with a single caller; the tracker's per-packet path is many rules in
// functions just past those sizes (trackOne, accept, the analysis hooks), each call a spill and
// reload of the packet's state. Allowed 300 and 1 000, the packet loop inlines them: the tracker
// alone (decode + track) ~4 % less CPU, whole commands at one and two threads ~5 % less wall
// (docs/benchmarks.md, "Threads and the record path", round 20). The binary keeps the functions' names
// (a name section, ~12 kB), so that profiles name WebAssembly functions, not numbers.
//
// The text form is read rather than asc's binary because only it has the names.

import binaryen from "binaryen";
import { readFileSync, writeFileSync } from "node:fs";

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error("usage: node scripts/reoptimize-wasm.mjs NAME... (reads NAME.wat, writes NAME.wasm)");
  process.exit(2);
}

// Binaryen's settings are global: set once for every module.
binaryen.setOptimizeLevel(4);
binaryen.setShrinkLevel(0);
binaryen.setDebugInfo(true); // keeps the names in the binary
// No fast-math rewrites in this pass (asc's own pass already made those it makes): NaN marks
// "none" in the analysis block, and the estimators must match the TypeScript engine bit for bit.
binaryen.setFastMath(false);
// A load or store at `p + k` (k a constant under 1 KiB) becomes one at `p` with offset k, which
// V8 compiles into the machine instruction's displacement instead of an add before it: the two
// differ only when p + k passes 4 GiB and wraps, which no pointer here comes near (memories stay
// far below 4 GiB, and nothing relies on wrapping). The tracker 4 % fewer instructions a packet
// (bench:instructions, round 27).
binaryen.setLowMemoryUnused(true);
binaryen.setAlwaysInlineMaxSize(30);
binaryen.setFlexibleInlineMaxSize(300);
binaryen.setOneCallerInlineMaxSize(1000);
binaryen.setAllowInliningFunctionsWithLoops(true);

// The features asc builds with here (its defaults and --enable threads): nothing newer may be
// introduced by the passes than Node 20's V8 runs.
const F = binaryen.Features;
const features = F.MutableGlobals | F.SignExt | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt | F.Atomics;

for (const name of names) {
  const module = binaryen.parseText(readFileSync(`${name}.wat`, "utf8"));
  module.setFeatures(features);
  module.optimize();
  module.optimize(); // a second round takes what the first round's inlining opened up
  if (!module.validate()) {
    console.error(`reoptimize-wasm: ${name}.wat: the optimised module does not validate`);
    process.exit(1);
  }
  writeFileSync(`${name}.wasm`, module.emitBinary());
  module.dispose();
}
