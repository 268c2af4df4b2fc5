// A measured command that fails says why in one line: its exit code and the last line it wrote.

import { describe, it, expect } from "vitest";
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { measureRun } from "../../bench/measure-run.js";
import { BenchFailure } from "../../bench/bench-main.js";

const CLI = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const SAMPLE = fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url));
const RSS = fileURLToPath(new URL("../../bench/rss.cjs", import.meta.url));

describe.skipIf(!existsSync(CLI))("measureRun's failures", () => {
  it("the command's exit code and its last line of standard error", async () => {
    const run = measureRun("node", [CLI, "/no/such.pcap"], { node: true });
    await expect(run).rejects.toThrow(BenchFailure);
    await expect(run).rejects.toThrow(/^node .*bin\.cjs \/no\/such\.pcap exited 3: tcp-handshake-scan: \/no\/such\.pcap: no such file$/);
  });

  it("a command run under /usr/bin/time: its own last line of standard error, and its peak RSS", async () => {
    const run = measureRun("sh", ["-c", "echo first >&2; echo why it failed >&2; exit 3"], { node: false });
    await expect(run).rejects.toThrow(/^sh -c .* exited 3: why it failed$/);
    const ok = await measureRun("sh", ["-c", "echo to stderr >&2"], { node: false });
    expect(ok.maxRssMb).toBeGreaterThan(0);
  });

  it("commands measured at once under /usr/bin/time each get their own peak RSS", async () => {
    const big = measureRun("node", ["-e", "const b = Buffer.alloc(300e6, 1); setTimeout(() => b, 300)"], { node: false });
    const small = measureRun("sleep", ["0.2"], { node: false });
    const [b, s] = await Promise.all([big, small]);
    expect(b.maxRssMb).toBeGreaterThan(250);
    expect(s.maxRssMb).toBeLessThan(50);
  });

  it("a Node script's peak RSS is the main thread's one report, whatever worker threads it ran", async () => {
    // rss.cjs is preloaded into workers too (they inherit --require): only the main thread reports.
    const script = "const { Worker } = require('node:worker_threads'); new Worker('', { eval: true }).on('exit', () => {});";
    const r = spawnSync(process.execPath, ["--require", RSS, "-e", script], { stdio: ["ignore", "ignore", "inherit", "pipe"], encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(String(r.output[3]).match(/^maxrss \d+\n$/gm)).toHaveLength(1);
    expect((await measureRun("node", [CLI, "--threads", "2", "--format", "ndjson", SAMPLE], { node: true })).maxRssMb).toBeGreaterThan(10);
  });

  it("a command that is not Node, without its peak: run directly, not under /usr/bin/time", async () => {
    // Its parent is the bench itself, not /usr/bin/time; the peak is not measured.
    const direct = await measureRun("sh", ["-c", "cat /proc/$PPID/comm"], { node: false, keepStdout: true, peak: false });
    expect(direct.stdout).toBe("node\n");
    expect(direct.maxRssMb).toBeNaN();
    const timed = await measureRun("sh", ["-c", "cat /proc/$PPID/comm"], { node: false, keepStdout: true });
    expect(timed.stdout).toBe("time\n");
    expect(timed.maxRssMb).toBeGreaterThan(0);
    await expect(measureRun("sh", ["-c", "echo why >&2; exit 4"], { node: false, peak: false })).rejects.toThrow(/^sh -c .* exited 4: why$/);
  });

  it("a command that cannot be started", async () => {
    await expect(measureRun("/no/such-tool", [], { node: false })).rejects.toThrow(/^\/no\/such-tool .*exited \d+|^\/no\/such-tool: /);
  });
});
