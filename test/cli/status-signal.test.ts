// SIGUSR1: one line saying how far the command has got, and the run goes on (Node would open its
// debugger on that signal).

import { describe, it, expect } from "vitest";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readingEnded, readingStarted, statusLine } from "../../cli/status-signal.js";
import { readingFigures } from "../../cli/progress.js";

const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));
const SAMPLE = readFileSync(fileURLToPath(new URL("../../examples/sample.pcap", import.meta.url)));

describe("the status line", () => {
  it("says the share read, the bytes, the rate and the time while a scan reads, the time otherwise", () => {
    expect(statusLine()).toMatch(/^running for \d+\.\d s$/);
    const status = readingStarted(2_000_000, 1);
    status(1_220_700);
    expect(statusLine()).toMatch(/^61%  1\.2 MB of 2\.0 MB  \d+ MB\/s  ETA \S+  after \d+\.\d s$/);
    readingEnded();
    expect(statusLine()).toMatch(/^running for /);
  });

  it("has the progress bar's figures: passes of a ladder, inputs of no known size", () => {
    expect(readingFigures(3_000_000, 2_000_000, 2, 1).words).toBe("pass 2 of 2   50%  1.0 MB of 2.0 MB  3 MB/s  ETA 0s");
    // A ladder's report says its pass: a pass that stopped early (0.5 MB) and the next one's 0.7 MB.
    expect(readingFigures(2_700_000, 2_000_000, 2, 1, { pass: 2, inPass: 700_000 }).words).toBe("pass 2 of 2   35%  0.7 MB of 2.0 MB  3 MB/s  ETA 0s");
    // Past the passes foreseen (a ladder's drawn connections did not fit in memory at once): no total, no ETA.
    expect(readingFigures(5_000_000, 2_000_000, 2, 1, { pass: 3, inPass: 1_000_000 }).words).toBe("pass 3   50%  1.0 MB of 2.0 MB  5 MB/s  ETA ?");
    expect(readingFigures(1_500_000, null, 1, 0.5)).toEqual({ words: "1.5 MB read  3 MB/s", fraction: null });
    // Before the first byte no time left can be told (it said "ETA 0s"); a gigabyte or more without decimals.
    expect(readingFigures(0, 2e9, 1, 0).words).toBe("  0%  0.0 MB of 2000 MB  0 MB/s  ETA ?");
  });
});

/** Resolves once process `pid` catches SIGUSR2 (a JavaScript listener for it is installed). */
async function listening(pid: number): Promise<void> {
  for (;;) {
    const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    if (caught !== undefined && (BigInt(`0x${caught}`) & (1n << 11n)) !== 0n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(["SIGUSR1", "SIGUSR2"] as const)("kill -%s on a running scan (SIGUSR2: for Deno, which opens its inspector on SIGUSR1)", (signal) => {
  it("prints one line on standard error, no debugger, and the scan ends as it would have", async () => {
    // Standard input fed in two halves: the scan waits for the second while the signal comes.
    const child = spawn(process.execPath, [BIN, "--format", "ndjson", "-"], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
    child.stderr.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
    const half = 4096;
    child.stdin.write(SAMPLE.subarray(0, half));
    // Not before the command's listeners are there: until then Node answers SIGUSR1 by opening
    // its inspector (Node 20 has no flag against it) and SIGUSR2 ends the process. A loaded
    // machine took more than 200 ms to start them (two CI runs beside it): asked once the process
    // catches SIGUSR2, which Node does only for a listener (/proc/PID/status, SigCgt: bit 11).
    await listening(child.pid!);
    const answered = new Promise<void>((resolve) => {
      const ask = setInterval(() => child.kill(signal), 200);
      child.kill(signal);
      child.stderr.on("data", () => { if (stderr.includes("\n")) { clearInterval(ask); resolve(); } });
    });
    await answered;
    child.stdin.end(SAMPLE.subarray(half));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    const lines = stderr.trim().split("\n");
    // Asked before the reading started, the line gives the time only.
    for (const line of lines) expect(line).toMatch(/^tcp-handshake-scan: (0\.0 MB read  \d+ MB\/s  after|running for) \d+\.\d s$/);
    expect(stderr).not.toMatch(/Debugger/);
    expect(stdout.trim().split("\n")).toHaveLength(9); // every connection of the sample
  }, 30_000);
});
