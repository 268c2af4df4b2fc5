// The cross-core probe of `npm run bench` (bench/native/cross-core.c): what handing a 128-byte
// record from one core to the other costs at the moment, run around each round of a capture's
// engines, so that each round's figures can be read with the spell of the machine it ran in
// (docs/benchmarks.md, "Threads and the record path", round 34).

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { compileC } from "./compile-c.js";

/** Compiles the probe of the checkout at `root` into `dir`; why not when no C compiler could. */
export function buildCrossCoreProbe(root: string, dir: string): { binary: string } | { missing: string } {
  const source = join(root, "bench", "native", "cross-core.c");
  const binary = join(dir, "cross-core");
  const built = compileC(source, binary, ["-pthread"]);
  return "compiler" in built ? { binary } : { missing: "missing" in built ? built.missing : built.failed };
}

/**
 * The writer's nanoseconds of CPU a record over `ms` of writing; null when it could not run
 * (fewer than two processors to run on) or did not end in time.
 */
export function probeCrossCore(binary: string, ms = 300): number | null {
  const r = spawnSync(binary, ["--ms", String(ms)], { encoding: "utf8", timeout: ms + 5_000 });
  if (r.error || r.status !== 0) return null;
  return crossCoreNs(r.stdout);
}

/** The `ns_per_record=` the probe prints; null without one. */
export function crossCoreNs(stdout: string): number | null {
  const m = /\bns_per_record=([\d.]+)/.exec(stdout);
  return m ? Number(m[1]) : null;
}

/** "4.4, 52.7, n/a ns" (null: "n/a"). */
export function describeProbes(ns: readonly (number | null)[]): string {
  return `${ns.map((x) => (x === null ? "n/a" : x.toFixed(1))).join(", ")} ns`;
}
