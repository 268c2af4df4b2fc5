import { describe, it, expect, afterEach } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { optimisesLater, LINE_SCAN_INTERRUPT_BUDGET } from "../../cli/compile-flags.js";

const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));

describe("optimisesLater (V8's interrupt budget raised for line scans with a thread on every core)", () => {
  afterEach(() => { delete process.env.TCP_SCAN_WASM_LINES; });

  it("holds for ndjson, csv and zeek scans whose threads take every core, options in any order", () => {
    for (const format of ["ndjson", "csv", "zeek"]) {
      expect(optimisesLater(["big.pcap", "--format", format], 1, 2), format).toBe(true);
      expect(optimisesLater([`--format=${format}`, "-q", "big.pcap", "-o", "out"], 3, 4), format).toBe(true);
    }
  });

  it("not with a core to spare, nor at one thread (its compiling then runs on an idle core)", () => {
    expect(optimisesLater(["big.pcap", "--format", "ndjson"], 1, 4)).toBe(false);
    expect(optimisesLater(["big.pcap", "--format", "ndjson"], 0, 2)).toBe(false);
    expect(optimisesLater(["big.pcap", "--format", "ndjson"], 0, 1)).toBe(false);
  });

  it("not where JavaScript runs per connection: the summary, json, parquet, --filter, --ladder, a reduce task, the JS line writer", () => {
    const no = [
      ["big.pcap"], ["big.pcap", "--format", "text"], ["big.pcap", "--format", "json"], ["big.pcap", "--format", "parquet", "-o", "x"],
      ["big.pcap", "--format", "ndjson", "--filter", "port 80"], ["big.pcap", "--format", "ndjson", "--ladder", "3"],
      ["--from-partitions", "dir", "--bucket", "0", "--format", "ndjson"],
      ["info", "big.pcap"], ["partition", "--buckets", "4", "-o", "dir", "big.pcap"],
      ["big.pcap", "--format", "ndjson", "--help"], ["--version"], ["big.pcap", "--format", "ndjson", "--no-such-option"],
    ];
    for (const args of no) expect(optimisesLater(args, 1, 2), args.join(" ")).toBe(false);
    process.env.TCP_SCAN_WASM_LINES = "0";
    expect(optimisesLater(["big.pcap", "--format", "ndjson"], 1, 2)).toBe(false);
  });

  it("the budget is a flag V8 takes while running, and the command's lines are the same bytes with it", () => {
    const flag = `--interrupt-budget=${LINE_SCAN_INTERRUPT_BUDGET}`;
    const set = spawnSync(process.execPath, ["-e", `require("node:v8").setFlagsFromString(${JSON.stringify(flag)}); console.log("ok")`], { encoding: "utf8" });
    expect([set.status, set.stdout.trim(), set.stderr]).toEqual([0, "ok", ""]);
    // Set from the start as well (which also makes every function reach it sooner or never): the same lines.
    const bin = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
    const run = (...node: string[]) => spawnSync(process.execPath, [...node, bin, SAMPLE, "--format", "ndjson", "--threads", "2"], { encoding: "utf8" });
    const plain = run(), later = run(flag);
    expect([later.status, later.stderr]).toEqual([0, ""]);
    expect(later.stdout).toBe(plain.stdout);
    expect(plain.stdout.split("\n").length).toBeGreaterThan(5); // the sample's 9 connections
  });
});
