// `npm run bench`'s bad settings: one line naming the variable, exit 2, before any capture is
// generated or anything measured (the benchmark itself is not run here: it takes minutes).

import { describe, it, expect, afterAll } from "vitest";
import { fileURLToPath } from "node:url";
import { mkdtempSync, readdirSync, rmSync, writeFileSync, openSync, writeSync, closeSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchBuilt, runBenchScript } from "../helpers/bench-script.js";
import { toolRuns } from "../../bench/bench-main.js";

const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-e2e-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// The smallest run: 1 MB captures of the short mix, one round, no VXLAN and no tshark.
const TINY = { BENCH_SIZES_GB: "0.001", BENCH_MIXES: "short", BENCH_VXLAN: "0", BENCH_RUNS: "1", BENCH_TSHARK_MAX_GB: "0" };

describe.skipIf(!benchBuilt("end-to-end"))("bench's errors", () => {
  it("a bad BENCH_* variable", () => {
    for (const [env, line] of [
      [{ BENCH_MIXES: "bulk,shrot" }, 'bench: BENCH_MIXES: unknown mix "shrot" (bulk, short)'],
      [{ BENCH_SIZES_GB: "2GB" }, 'bench: BENCH_SIZES_GB: "2GB" is not a size in GB (above 0)'],
      [{ BENCH_RUNS: "many" }, 'bench: BENCH_RUNS: "many" is not a whole number of runs (1 or more)'],
      [{ BENCH_TSHARK_MAX_GB: "-1" }, 'bench: BENCH_TSHARK_MAX_GB: "-1" is not a size in GB'],
      [{ BENCH_RUNS: "0" }, 'bench: BENCH_RUNS: "0" is not a whole number of runs (1 or more)'],
      [{ BENCH_VXLAN: "no" }, 'bench: BENCH_VXLAN: "no" is not 0 (off) or 1 (on)'],
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

// Runs that must not print figures: each fails with one line and exit 1, and removes its
// temporary captures and binaries (TMPDIR is the test's own, checked empty after).
describe.skipIf(!benchBuilt("end-to-end") || !toolRuns("gcc"))("bench refuses figures it cannot stand behind", () => {
  const run = (env: Record<string, string>) => {
    const tmp = mkdtempSync(join(dir, "tmp-"));
    const r = runBenchScript("end-to-end", [], { ...TINY, TMPDIR: tmp, ...env });
    return { ...r, left: readdirSync(tmp) };
  };
  const fakeC = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, `#include <stdio.h>\nint main(void) { ${body} return 0; }\n`);
    return path;
  };

  it("a C baseline that did not read the capture (its counts are not the generator's)", () => {
    for (const printed of ["packets=1 flows=99999999", "packets=1 flows=0", "nothing"]) {
      const r = run({ BENCH_C_BASELINE: fakeC("fake.c", `puts("${printed}");`) });
      expect(r.code, printed).toBe(1);
      expect(r.stderr, printed).toMatch(/^bench: c_baseline --flows counted \S+ packets and \S+ connections in \S+e2e-0\.001gb-short-full\.pcap; it was generated with \d+ and \d+: not measured\n$/);
      expect(r.left).toEqual([]);
    }
  });

  it("a C baseline that is not there or does not compile", () => {
    const missing = run({ BENCH_C_BASELINE: join(dir, "no-such.c") });
    expect([missing.code, missing.stderr]).toEqual([1, `bench: ${join(dir, "no-such.c")} not found: the native-limit row needs it (BENCH_C_BASELINE names another copy, or "none" to run without it)\n`]);
    const broken = run({ BENCH_C_BASELINE: fakeC("broken.c", "this is not C;") });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^bench: gcc could not build \S+broken\.c: .*error.*\n$/);
    expect(broken.left).toEqual([]);
  });

  it("a kept capture damaged since it was generated: the run that reads part of it fails", () => {
    const kept = join(dir, "kept");
    const first = runBenchScript("end-to-end", [], { ...TINY, BENCH_DIR: kept, BENCH_C_BASELINE: "none" });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/no native-limit row: BENCH_C_BASELINE=none/);
    // A record's length past the file's end halfway through: same size, so the capture is reused.
    const path = join(kept, "e2e-0.001gb-short-full.pcap");
    const bytes = readFileSync(path);
    let at = 24;
    while (at < bytes.length / 2) at += 16 + bytes.readUInt32LE(at + 8);
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.from([0xff, 0xff, 0xff, 0x7f]), 0, 4, at + 8);
    closeSync(fd);
    const again = runBenchScript("end-to-end", [], { ...TINY, BENCH_DIR: kept, BENCH_C_BASELINE: "none" });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^bench: node .*bin\.cjs --format ndjson --quiet --threads \d+ \S+e2e-0\.001gb-short-full\.pcap exited 4: .*\n$/);
  });

  it("a kept capture is reused only from this generator, and says what it holds", () => {
    const kept = join(dir, "kept-stamp");
    const env = { ...TINY, BENCH_DIR: kept, BENCH_C_BASELINE: "none" };
    const first = runBenchScript("end-to-end", [], env);
    expect(first.code).toBe(0);
    const mixLine = /generating 0\.001 GB short, full snaplen \.\.\. (\d+ packets, \d+ connections .*open at the end 0\.0 %; IPv6 .*\))\n/.exec(first.stdout);
    expect(mixLine, first.stdout).not.toBeNull();
    const stamp = join(kept, "e2e-0.001gb-short-full.pcap.json");
    // Reused: the same mix line, and no capture written.
    const again = runBenchScript("end-to-end", [], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`kept 0.001 GB short, full snaplen: ${mixLine![1]}\n`);
    expect(again.stdout).not.toContain("generating 0.001 GB short, full");
    // A sidecar from another generator (or from before the stamp): generated afresh.
    for (const sidecar of [{ ...JSON.parse(readFileSync(stamp, "utf8")), generator: "0000000000000000" }, { packets: 1, connections: 1, bytes: 0 }]) {
      writeFileSync(stamp, JSON.stringify({ ...sidecar, bytes: statSync(join(kept, "e2e-0.001gb-short-full.pcap")).size }));
      const fresh = runBenchScript("end-to-end", [], env);
      expect(fresh.code).toBe(0);
      expect(fresh.stdout).toContain(`generating 0.001 GB short, full snaplen ... ${mixLine![1]}\n`);
    }
  });

  it("a size too small for one packet", () => {
    const r = run({ BENCH_SIZES_GB: "1e-9", BENCH_C_BASELINE: "none" }); // whether or not ../shared/perf is beside the checkout
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^bench: \S+e2e-1e-9gb-short-full\.pcap: no packets, nothing to time a packet\n$/);
    expect(r.left).toEqual([]);
  });
});

