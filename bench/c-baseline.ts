// The native-limit row of `npm run bench`: ../shared/perf/c_baseline.c (read + decode + an
// open-addressing flow table + a simple per-flow classification, in C), compiled once with
// `gcc -O2` into a temporary directory when a C compiler is present, and run as
// `c_baseline --flows --quiet FILE`. BENCH_C_BASELINE names another copy of the source.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { compileC, NO_COMPILER } from "./compile-c.js";

export interface CBaseline { binary: string; compiler: string }

/** Compiles c_baseline.c into `dir`; null (and why) when there is no source or no compiler. */
export function buildCBaseline(root: string, dir: string): CBaseline | { missing: string } {
  const source = process.env.BENCH_C_BASELINE ?? join(root, "..", "shared", "perf", "c_baseline.c");
  if (!existsSync(source)) return { missing: `${source} not found` };
  const binary = join(dir, "c_baseline");
  const compiler = compileC(source, binary);
  return compiler ? { binary, compiler } : { missing: NO_COMPILER };
}

/** The flow count c_baseline prints (its `flows=` field), to check it read the whole capture. */
export function cBaselineFlows(stdout: string): number | null {
  const m = /\bflows=(\d+)/.exec(stdout);
  return m ? Number(m[1]) : null;
}
