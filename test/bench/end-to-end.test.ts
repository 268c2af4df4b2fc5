// `npm run bench`'s bad settings: one line naming the variable, exit 2, before any capture is
// generated or anything measured (the benchmark itself is not run here: it takes minutes).

import { describe, it, expect } from "vitest";
import { fileURLToPath } from "node:url";
import { benchBuilt, runBenchScript } from "../helpers/bench-script.js";

const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));

describe.skipIf(!benchBuilt("end-to-end"))("bench's errors", () => {
  it("a bad BENCH_* variable", () => {
    for (const [env, line] of [
      [{ BENCH_MIXES: "bulk,shrot" }, 'bench: BENCH_MIXES: unknown mix "shrot" (bulk, short)'],
      [{ BENCH_SIZES_GB: "2GB" }, 'bench: BENCH_SIZES_GB: "2GB" is not a size in GB (above 0)'],
      [{ BENCH_RUNS: "many" }, 'bench: BENCH_RUNS: "many" is not a whole number of runs'],
      [{ BENCH_TSHARK_MAX_GB: "-1" }, 'bench: BENCH_TSHARK_MAX_GB: "-1" is not a size in GB'],
    ] as const) {
      expect(runBenchScript("end-to-end", [], env), JSON.stringify(env)).toEqual({ code: 2, stdout: "", stderr: `${line}\n` });
    }
  });

  it("a BENCH_DIR that cannot be made (under a file)", () => {
    const r = runBenchScript("end-to-end", [], { BENCH_DIR: `${SAMPLE}/captures` });
    expect([r.code, r.stdout]).toEqual([1, ""]);
    expect(r.stderr).toBe(`bench: ENOTDIR: not a directory, mkdir '${SAMPLE}/captures'\n`);
  });
});
