// The bench's cross-core probe (bench/native/cross-core.c, bench/cross-core.ts): it builds, runs
// on two processors and says how long a record took; its arguments are checked. Its figure is
// the machine's, so only its form is tested here, never its size.

import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { availableParallelism, tmpdir } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildCrossCoreProbe, crossCoreNs, describeProbes, probeCrossCore } from "../../bench/cross-core.js";

const dir = mkdtempSync(join(tmpdir(), "ths-cross-core-test-"));
const binary = buildCrossCoreProbe(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the cross-core probe's output", () => {
  it("reads the figure it prints, and writes a list of them", () => {
    expect(crossCoreNs("ns_per_record=52.68 records=5636096\n")).toBe(52.68);
    expect(crossCoreNs("usage: cross-core [--ms N]\n")).toBeNull();
    expect(describeProbes([4.394, 52.68, null])).toBe("4.4, 52.7, n/a ns");
  });
});

describe.skipIf(binary === null)("the cross-core probe", () => {
  it.skipIf(availableParallelism() < 2)("writes records for the time asked and gives a figure above 0", () => {
    const r = spawnSync(binary!, ["--ms", "50"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ns_per_record=\d+\.\d\d records=\d+\n$/);
    expect(Number(/records=(\d+)/.exec(r.stdout)![1])).toBeGreaterThan(0);
    expect(probeCrossCore(binary!, 50)).toBeGreaterThan(0);
  });

  it("refuses arguments it does not know, and a time that is not above 0", () => {
    for (const args of [["--seconds", "1"], ["--ms"], ["--ms", "0"], ["--ms", "-5"]]) {
      const r = spawnSync(binary!, args, { encoding: "utf8" });
      expect([r.status, r.stdout], args.join(" ")).toEqual([2, ""]);
      expect(r.stderr).toMatch(/^(usage: .*cross-core \[--ms N\]|--ms must be above 0)\n$/);
    }
  });
});
