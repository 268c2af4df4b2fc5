// Compiling the bench's C programs (c-baseline.ts, cross-core.ts): gcc, else cc, at -O2.

import { spawnSync } from "node:child_process";

export const NO_COMPILER = "no C compiler (gcc or cc) is installed";

/**
 * Builds `binary` from `source` (with `flags` after -O2): the compiler that did; else `missing`
 * when neither gcc nor cc is installed, or `failed` with the first compiler's last line of
 * errors when the source does not compile.
 */
export function compileC(source: string, binary: string, flags: readonly string[] = []): { compiler: string } | { missing: string } | { failed: string } {
  let failed: string | null = null;
  for (const compiler of ["gcc", "cc"]) {
    const r = spawnSync(compiler, ["-O2", ...flags, "-o", binary, source], { encoding: "utf8" });
    if (!r.error && r.status === 0) return { compiler };
    if (!r.error && failed === null) {
      const said = (r.stderr ?? "").trim().split("\n").filter((l) => /error/i.test(l)).shift() ?? (r.stderr ?? "").trim().split("\n").pop();
      failed = `${compiler} could not build ${source}${said ? `: ${said}` : ` (exit ${r.status})`}`;
    }
  }
  return failed !== null ? { failed } : { missing: NO_COMPILER };
}
