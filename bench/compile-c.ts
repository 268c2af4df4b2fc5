// Compiling the bench's C programs (c-baseline.ts, cross-core.ts): gcc, else cc, at -O2.

import { spawnSync } from "node:child_process";

export const NO_COMPILER = "no C compiler (gcc or cc) could build it";

/** Builds `binary` from `source` (with `flags` after -O2); the compiler that did, or null when none could. */
export function compileC(source: string, binary: string, flags: readonly string[] = []): string | null {
  for (const compiler of ["gcc", "cc"]) {
    const r = spawnSync(compiler, ["-O2", ...flags, "-o", binary, source], { encoding: "utf8" });
    if (!r.error && r.status === 0) return compiler;
  }
  return null;
}
