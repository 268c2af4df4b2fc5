// The native-limit row of `npm run bench`: ../shared/perf/c_baseline.c (read + decode + an
// open-addressing flow table + a simple per-flow classification, in C), compiled once with
// `gcc -O2` into a temporary directory when a C compiler is present, and run as
// `c_baseline --flows --quiet FILE`. BENCH_C_BASELINE names another copy of the source.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { compileC } from "./compile-c.js";
import { BenchFailure } from "./bench-main.js";

export interface CBaseline { binary: string; compiler: string; source: string }

/**
 * Compiles c_baseline.c into `dir`. `missing` (and why) when there is no C compiler, or when
 * BENCH_C_BASELINE is "none"; a BenchFailure when the source is not there or does not compile,
 * so that the native-limit row is never left out unnoticed.
 */
export function buildCBaseline(root: string, dir: string): CBaseline | { missing: string } {
  const given = process.env.BENCH_C_BASELINE;
  if (given === "none") return { missing: "BENCH_C_BASELINE=none" };
  const source = given || join(root, "..", "shared", "perf", "c_baseline.c");
  if (!existsSync(source)) throw new BenchFailure(`${source} not found: the native-limit row needs it (BENCH_C_BASELINE names another copy, or "none" to run without it)`);
  const binary = join(dir, "c_baseline");
  const built = compileC(source, binary);
  if ("failed" in built) throw new BenchFailure(built.failed);
  return "compiler" in built ? { binary, compiler: built.compiler, source } : built;
}

/** What c_baseline counted (its `packets=` and `flows=` fields), to check that it read the whole capture. */
export function cBaselineCounts(stdout: string): { packets: number | null; flows: number | null } {
  const field = (name: string) => {
    const m = new RegExp(`\\b${name}=(\\d+)`).exec(stdout);
    return m ? Number(m[1]) : null;
  };
  return { packets: field("packets"), flows: field("flows") };
}
