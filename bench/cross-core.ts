// The cross-core probe of `npm run bench` (bench/native/cross-core.c): what handing a 128-byte
// record from one core to the other costs at the moment, run around each round of a capture's
// engines. This machine goes through spells (seconds to half a minute) in which it costs ~15x
// more, and a scan at two threads is then slower whatever it does (README, round 34): the probe
// tells which spell each round ran in, so that a ratio is read with it.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

// The checkout: two levels up from dist/bench/, one from bench/ (the tests run the source).
const HERE = fileURLToPath(new URL(".", import.meta.url));
const SOURCE = join(resolve(HERE, existsSync(join(HERE, "..", "package.json")) ? ".." : "../.."), "bench", "native", "cross-core.c");

/** Compiles the probe into `dir`; null when no C compiler (gcc or cc) could build it. */
export function buildCrossCoreProbe(dir: string): string | null {
  const binary = join(dir, "cross-core");
  for (const compiler of ["gcc", "cc"]) {
    const r = spawnSync(compiler, ["-O2", "-pthread", "-o", binary, SOURCE], { encoding: "utf8" });
    if (!r.error && r.status === 0) return binary;
  }
  return null;
}

/** The writer's nanoseconds a record over `ms` of writing; null when it cannot run (one processor). */
export function probeCrossCore(binary: string, ms = 300): number | null {
  const r = spawnSync(binary, ["--ms", String(ms)], { encoding: "utf8" });
  if (r.status !== 0) return null;
  return crossCoreNs(r.stdout);
}

/** The `ns_per_record=` the probe prints; null without one. */
export function crossCoreNs(stdout: string): number | null {
  const m = /\bns_per_record=([\d.]+)/.exec(stdout);
  return m ? Number(m[1]) : null;
}

/** "4.4, 52.7, 4.4 ns" (null: "n/a"). */
export function describeProbes(ns: readonly (number | null)[]): string {
  return `${ns.map((x) => (x === null ? "n/a" : x.toFixed(1))).join(", ")} ns`;
}
