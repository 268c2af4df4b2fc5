// `npm run bench:decode`'s settings: checked before any capture is generated, each bad one a line
// naming it and exit 2, never a stack trace (the whole benchmark takes minutes: not run here).

import { describe, it, expect } from "vitest";
import { benchBuilt, runBenchScript } from "../helpers/bench-script.js";

describe.skipIf(!benchBuilt("decode"))("bench:decode's errors", () => {
  it("an argument (it takes none), a bad BENCH_MB or BENCH_TIME_MS", () => {
    const usage = runBenchScript("decode", ["capture.pcap"]);
    expect([usage.code, usage.stdout]).toEqual([2, ""]);
    expect(usage.stderr).toMatch(/^bench:decode: usage: node dist\/bench\/decode\.js \(no arguments[^\n]*\n$/);
    expect(runBenchScript("decode", [], { BENCH_MB: "-5" })).toEqual({ code: 2, stdout: "", stderr: 'bench:decode: BENCH_MB: "-5" is not a positive number of megabytes\n' });
    expect(runBenchScript("decode", [], { BENCH_TIME_MS: "soon" })).toEqual({ code: 2, stdout: "", stderr: 'bench:decode: BENCH_TIME_MS: "soon" is not a positive number of milliseconds\n' });
  });
});
