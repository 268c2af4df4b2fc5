// Runs one command for a benchmark and measures it: wall time and peak RSS, and its standard
// output when asked. Node scripts run with bench/rss.cjs preloaded, which reports the peak RSS
// on file descriptor 3; other commands run under /usr/bin/time, which writes its report into a
// temporary file (-o; a pipe from spawn is a socket, which /dev/fd/3 cannot open), so that the
// command's own standard error stays its own, for its failure line.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BenchFailure } from "./bench-main.js";

// bench/rss.cjs in the checkout: two levels up from dist/bench/, one from bench/ (the tests run the source).
const HERE = fileURLToPath(new URL(".", import.meta.url));
const RSS = resolve(HERE, existsSync(join(HERE, "rss.cjs")) ? "." : "../../bench", "rss.cjs");

export interface Measured { seconds: number; maxRssMb: number; stdout: string }

export interface MeasureOptions {
  /** `args` are a Node script and its arguments (`command` is then ignored). */
  node: boolean;
  /** Keep standard output (otherwise discarded). */
  keepStdout?: boolean;
  /** Exit codes that count as success (default: 0). */
  okCodes?: readonly number[];
  /**
   * Measure the peak RSS (default). Off, a command that is not Node runs without /usr/bin/time,
   * whose own fork and exec add ~2 ms to the wall time (0.7 % of the C program's 0.28 s), and
   * its peak is NaN.
   */
  peak?: boolean;
}

export function measureRun(command: string, args: string[], options: MeasureOptions): Promise<Measured> {
  const { node, keepStdout = false, okCodes = [0], peak = true } = options;
  const timed = !node && peak;
  // Each run's own report file: runs measured at once must not read each other's.
  const reportFile = timed ? timeReport() : "";
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const [file, argv] = node
      ? [process.execPath, ["--require", RSS, ...args]]
      : timed ? ["/usr/bin/time", ["-o", reportFile, "-f", "maxrss %M", command, ...args]] : [command, args];
    const child = spawn(file, argv, { stdio: ["ignore", keepStdout ? "pipe" : "ignore", "pipe", "pipe"] });
    let report = "", stdout = "", stderr = "";
    child.stdout?.on("data", (d) => { stdout += d; });
    child.stdio[3]!.on("data", (d) => { report += d; });
    // Its standard error: only the end is kept, to say why it failed.
    child.stdio[2]!.on("data", (d) => { stderr = (stderr + d).slice(-2000); });
    child.on("error", (error) => reject(new BenchFailure(`${node ? "node" : command}: ${error.message}`)));
    child.on("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (timed) report = readTimeReport(reportFile);
      // The largest report: one process's, but a worker thread that preloaded rss.cjs too would add its own.
      const reported = [...report.matchAll(/maxrss (\d+)/g)].map((m) => Number(m[1]));
      const kb = reported.length > 0 ? Math.max(...reported) : NaN;
      if (!okCodes.includes(code ?? -1)) {
        const said = stderr.trim().split("\n").pop();
        reject(new BenchFailure(`${node ? "node" : command} ${args.join(" ")} exited ${code}${said ? `: ${said}` : ""}`));
      } else resolve({ seconds, maxRssMb: kb / 1024, stdout });
    });
  });
}

// /usr/bin/time's report files, one a run, in a directory of the process's removed at exit.
let timeDir: string | null = null;
let timeReports = 0;
function timeReport(): string {
  if (timeDir === null) {
    const made = mkdtempSync(join(tmpdir(), "ths-time-"));
    timeDir = made;
    process.on("exit", () => rmSync(made, { recursive: true, force: true }));
  }
  return join(timeDir, `report-${timeReports++}`);
}

function readTimeReport(file: string): string {
  try { return readFileSync(file, "utf8"); } catch { return ""; } finally { rmSync(file, { force: true }); }
}
