// The bench's cross-core probe (bench/native/cross-core.c, bench/cross-core.ts): it builds, runs
// on two processors and says how long a record took, refuses to run on one, and checks its
// arguments. Its figure is the machine's, so only its form is tested here, never its size.

import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { availableParallelism, tmpdir } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { toolRuns } from "../../bench/bench-main.js";
import { buildCrossCoreProbe, crossCoreNs, describeProbes, probeCrossCore } from "../../bench/cross-core.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-cross-core-test-"));
const built = buildCrossCoreProbe(ROOT, dir);
const binary = "binary" in built ? built.binary : "";
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every run bounded: a probe that waited for ever would hold the test run with it.
const run = (command: string, args: string[]) => spawnSync(command, args, { encoding: "utf8", timeout: 10_000 });

describe("the cross-core probe's output", () => {
  it("reads the figure it prints, and writes a list of them", () => {
    expect(crossCoreNs("ns_per_record=52.68 records=5636096\n")).toBe(52.68);
    expect(crossCoreNs("needs two processors to run on\n")).toBeNull();
    expect(describeProbes([4.394, 52.68, null])).toBe("4.4, 52.7, n/a ns");
  });
});

describe.skipIf(binary === "")("the cross-core probe", () => {
  it.skipIf(availableParallelism() < 2)("gives a figure above 0 and the records it wrote", () => {
    const r = run(binary, ["--ms", "50"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ns_per_record=\d+\.\d\d records=\d+\n$/);
    expect(Number(/records=(\d+)/.exec(r.stdout)![1])).toBeGreaterThan(0);
    expect(probeCrossCore(binary, 50)).toBeGreaterThan(0);
  });

  it.skipIf(!toolRuns("taskset"))("on one processor: says so, exit 3, and writes no figure", () => {
    const r = run("taskset", ["-c", "0", binary, "--ms", "50"]);
    expect([r.status, r.stdout, r.stderr]).toEqual([3, "", "needs two processors to run on\n"]);
  });

  it("refuses arguments it does not know, and a time that is not above 0", () => {
    for (const args of [["--seconds", "1"], ["--ms"], ["--ms", "0"], ["--ms", "-5"]]) {
      const r = run(binary, args);
      expect([r.status, r.stdout], args.join(" ")).toEqual([2, ""]);
      expect(r.stderr).toMatch(/^(usage: .*cross-core \[--ms N\]|--ms must be above 0)\n$/);
    }
  });
});
