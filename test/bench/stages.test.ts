// `npm run bench:stages`'s errors: one line naming the argument, file or variable, never a stack
// trace; a capture of no packets said in a line, not timed as NaN a packet.

import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateCapture } from "../../bench/generate.js";
import { benchBuilt, runBenchScript } from "../helpers/bench-script.js";

const dir = mkdtempSync(join(tmpdir(), "ths-stages-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!benchBuilt("stages"))("bench:stages's errors", () => {
  it("no arguments, a missing capture, a directory, a bad BENCH_RUNS", () => {
    expect(runBenchScript("stages", [])).toEqual({ code: 2, stdout: "", stderr: "bench:stages: usage: node dist/bench/stages.js FILE...\n" });
    expect(runBenchScript("stages", ["/no/such.pcap"])).toEqual({ code: 2, stdout: "", stderr: "bench:stages: /no/such.pcap: no such file\n" });
    expect(runBenchScript("stages", [dir])).toEqual({ code: 2, stdout: "", stderr: `bench:stages: ${dir}: not a file (a capture)\n` });
    expect(runBenchScript("stages", ["x.pcap"], { BENCH_RUNS: "three" })).toEqual({ code: 2, stdout: "", stderr: 'bench:stages: BENCH_RUNS: "three" is not a whole number of runs (1 or more)\n' });
  });

  it("a capture of no packets: a line saying so, exit 1", () => {
    const empty = join(dir, "empty.pcap");
    generateCapture(empty, { bytes: 0, mix: "short", seed: 1 });
    expect(runBenchScript("stages", [empty], { BENCH_RUNS: "1" })).toEqual({ code: 1, stdout: `${empty}: no packets, nothing to time a packet\n`, stderr: "" });
  }, 60_000);
});
