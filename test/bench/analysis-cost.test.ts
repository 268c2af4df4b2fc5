// `npm run bench:analysis` compares the tracker alone across built checkouts. Run on this
// checkout against its own build over a generated short mix, every counted pass of both must read
// every packet and end every connection the generator made, and the lines must name both builds.

import { describe, it, expect, afterAll } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCapture } from "../../bench/generate.js";
import { compareTrackers, describeComparison, median } from "../../bench/analysis-cost.js";
import { benchBuilt, runBenchScript } from "../helpers/bench-script.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-analysis-cost-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!existsSync(join(ROOT, "dist", "sdk", "connections", "wasm-tracker.js")))("bench:analysis", () => {
  it("tracks the whole capture in every counted pass of every build", async () => {
    const path = join(dir, "short.pcap");
    const g = generateCapture(path, { bytes: 2e6, snaplen: 96, mix: "short", concurrency: 50, seed: 7 });
    const c = await compareTrackers([ROOT], path, 3);
    expect(c.packets).toBe(g.packets);
    expect(c.connections).toBe(g.connections);
    expect(c.builds.map((b) => b.name)).toEqual(["this build", ROOT]);
    for (const b of c.builds) {
      expect(b.decode).toHaveLength(2); // the first round warms up
      expect(b.track).toHaveLength(2);
    }
    const lines = describeComparison(c);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/^ {2}decode \+ track, this build \/ .*: \d+\.\d{3}x \(median of the rounds' ratios; /);
  }, 120_000);
});

// Its errors: one line naming the argument, file or variable, never a stack trace; and a capture
// of no packets said in a line, not timed as NaN a packet.
describe.skipIf(!benchBuilt("analysis-cost"))("bench:analysis's errors", () => {
  it("no arguments, a missing capture, a directory that is not a build, a bad BENCH_RUNS", () => {
    const usage = runBenchScript("analysis-cost", []);
    expect([usage.code, usage.stdout]).toEqual([2, ""]);
    expect(usage.stderr).toMatch(/^bench:analysis: usage: node dist\/bench\/analysis-cost\.js DIR\.\.\. FILE\.\.\. [^\n]*\n$/);
    expect(runBenchScript("analysis-cost", [ROOT, "/no/such.pcap"])).toEqual({ code: 2, stdout: "", stderr: "bench:analysis: /no/such.pcap: no such file\n" });
    expect(runBenchScript("analysis-cost", [dir, "/no/such.pcap"])).toEqual({ code: 2, stdout: "", stderr: `bench:analysis: ${dir}: not a built checkout (no dist/sdk/index.js: npm run build there)\n` });
    expect(runBenchScript("analysis-cost", [ROOT, "x.pcap"], { BENCH_RUNS: "7x" })).toEqual({ code: 2, stdout: "", stderr: 'bench:analysis: BENCH_RUNS: "7x" is not a whole number of runs (2 or more)\n' });
  });

  it("a capture of no packets: a line saying so, exit 1", () => {
    const empty = join(dir, "empty.pcap");
    generateCapture(empty, { bytes: 0, mix: "short", seed: 1 });
    const r = runBenchScript("analysis-cost", [ROOT, empty], { BENCH_RUNS: "2" });
    expect(r).toEqual({ code: 1, stdout: `${empty}: no packets, nothing to time a packet\n`, stderr: "" });
  }, 60_000);
});

describe("bench:analysis' median", () => {
  it("is the middle value, or the mean of the two middle ones for an even count (6 counted rounds of the default 7)", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, 1, 6, 2, 4, 3])).toBe(3.5);
  });
});
