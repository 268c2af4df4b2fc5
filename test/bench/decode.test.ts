// `npm run bench:decode`'s settings: checked before any capture is generated, each bad one a line
// naming it and exit 2, never a stack trace (the whole benchmark takes minutes: here only a tiny run).

import { describe, it, expect } from "vitest";
import { benchBuilt, runBenchScript } from "../helpers/bench-script.js";

describe.skipIf(!benchBuilt("decode"))("bench:decode's errors", () => {
  it("an argument (it takes none), a bad BENCH_MB or BENCH_TIME_MS", () => {
    const usage = runBenchScript("decode", ["capture.pcap"]);
    expect([usage.code, usage.stdout]).toEqual([2, ""]);
    expect(usage.stderr).toMatch(/^bench:decode: usage: node dist\/bench\/decode\.js \(no arguments[^\n]*\n$/);
    expect(runBenchScript("decode", [], { BENCH_MB: "-5" })).toEqual({ code: 2, stdout: "", stderr: 'bench:decode: BENCH_MB: "-5" is not a positive number of megabytes\n' });
    expect(runBenchScript("decode", [], { BENCH_TIME_MS: "soon" })).toEqual({ code: 2, stdout: "", stderr: 'bench:decode: BENCH_TIME_MS: "soon" is not a positive number of milliseconds\n' });
    expect(runBenchScript("decode", [], { BENCH_RUNS: "0" })).toEqual({ code: 2, stdout: "", stderr: 'bench:decode: BENCH_RUNS: "0" is not a whole number of runs (1 or more)\n' });
  });

  it("a tiny run: interleaved rounds, every engine checked to find the WebAssembly decoder's packets, each capture labelled with its size", () => {
    const r = runBenchScript("decode", [], { BENCH_MB: "1", BENCH_TIME_MS: "40", BENCH_RUNS: "2" });
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toContain("best of 2 interleaved rounds\n");
    for (const label of ["full snaplen, 1 MB", "96-byte snaplen, 1 MB", "VXLAN, full, 1 MB", "VXLAN, 146-byte, 1 MB"]) {
      expect(r.stdout).toMatch(new RegExp(`^${label} +wasm +[\\d,]+ `, "m"));
    }
  });
});
