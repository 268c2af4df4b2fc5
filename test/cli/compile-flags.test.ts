import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { laterOptimisationFlag, LINE_SCAN_INTERRUPT_BUDGET } from "../../cli/compile-flags.js";
import { planStart, type StartPlan } from "../../cli/early-start.js";

const FLAG = `--interrupt-budget=${LINE_SCAN_INTERRUPT_BUDGET}`;
const NODE20_V8 = "11.3.244.8-node.33";
// The plan the command's entry makes, with the workers it would guess on a machine of `cores`
// (the captures named here do not exist: their size is unknown, so the default takes every core).
const plan = (args: string[], workers: number): StartPlan => ({ ...planStart(args), workers });
const flag = (args: string[], workers: number, cores: number, v8 = NODE20_V8, env: NodeJS.ProcessEnv = {}) =>
  laterOptimisationFlag(plan(args, workers), cores, v8, env);

describe("laterOptimisationFlag (V8's interrupt budget raised for line scans with a thread on every core)", () => {
  it("for ndjson, csv and zeek scans whose threads take every core, options in any order and form", () => {
    for (const format of ["ndjson", "csv", "zeek"]) {
      expect(flag(["big.pcap", "--format", format], 1, 2), format).toBe(FLAG);
      expect(flag([`--format=${format}`, "-q", "big.pcap", "-o", "-"], 3, 4), format).toBe(FLAG);
      expect(flag(["-q", "--threads", "64", "big.pcap", "--format", format], 1, 2), format).toBe(FLAG);
    }
  });

  it("none with a core to spare, nor at one thread (the compiling then runs on an idle core)", () => {
    expect(flag(["big.pcap", "--format", "ndjson"], 1, 4)).toBeNull();
    expect(flag(["big.pcap", "--format", "ndjson", "--threads", "1"], 0, 2)).toBeNull();
    expect(flag(["big.pcap", "--format", "ndjson"], 0, 1)).toBeNull();
  });

  it("none where JavaScript runs per connection (the summary, json, parquet, --filter) or the JS line writer is asked for", () => {
    for (const args of [["big.pcap"], ["big.pcap", "--format", "text"], ["big.pcap", "--format", "json"],
      ["big.pcap", "--format", "parquet", "-o", "x"], ["big.pcap", "--format", "ndjson", "--filter", "port 80"], ["big.pcap", "--format", "NDJSON"]]) {
      expect(flag(args, 1, 2), args.join(" ")).toBeNull();
    }
    expect(flag(["big.pcap", "--format", "ndjson"], 1, 2, NODE20_V8, { TCP_SCAN_WASM_LINES: "0" })).toBeNull();
  });

  it("none where the entry guesses no workers: not a scan of captures, a usage error", () => {
    for (const args of [["--format", "ndjson", "--ladder", "3", "big.pcap"], ["--from-partitions", "dir", "--bucket", "0", "--format", "ndjson"],
      ["info", "big.pcap"], ["--format", "ndjson", "--help"], ["--version"], ["big.pcap", "--format", "ndjson", "--no-such-option"]]) {
      const p = planStart(args);
      expect(p.workers, args.join(" ")).toBe(0);
      expect(laterOptimisationFlag(p, 1, NODE20_V8, {}), args.join(" ")).toBeNull();
    }
    expect(planStart(["--no-such-option"]).line).toBeNull();
  });

  it("only under the V8 it was measured with (later ones dropped the flag, and print an error for it)", () => {
    expect(flag(["big.pcap", "--format", "ndjson"], 1, 2, "12.4.254.21-node.33")).toBeNull();
    expect(flag(["big.pcap", "--format", "ndjson"], 1, 2, "15.0.245.2-rusty")).toBeNull();
  });

  it("this Node's V8 takes the flag while running, without a word, whenever the rule gives it", () => {
    const given = flag(["big.pcap", "--format", "ndjson"], 1, 2, process.versions.v8);
    if (given === null) return; // another V8: the rule gives none (tested above)
    const r = spawnSync(process.execPath, ["-e", `require("node:v8").setFlagsFromString(${JSON.stringify(given)}); console.log("set")`], { encoding: "utf8" });
    expect([r.status, r.stdout.trim(), r.stderr]).toEqual([0, "set", ""]);
  });
});
