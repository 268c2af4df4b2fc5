// Runs one command for a benchmark and measures it: wall time and peak RSS, and its standard
// output when asked. Node scripts run with bench/rss.cjs preloaded, which reports the peak RSS
// on file descriptor 3; other commands run under /usr/bin/time.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
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
}

export function measureRun(command: string, args: string[], options: MeasureOptions): Promise<Measured> {
  const { node, keepStdout = false, okCodes = [0] } = options;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const [file, argv] = node
      ? [process.execPath, ["--require", RSS, ...args]]
      : ["/usr/bin/time", ["-f", "maxrss %M", command, ...args]];
    const child = spawn(file, argv, { stdio: ["ignore", keepStdout ? "pipe" : "ignore", "pipe", "pipe"] });
    let report = "", stdout = "", stderr = "";
    child.stdout?.on("data", (d) => { stdout += d; });
    child.stdio[node ? 3 : 2]!.on("data", (d) => { report += d; });
    // Its standard error: only the end is kept, to say why it failed.
    child.stdio[node ? 2 : 3]!.on("data", (d) => { stderr = (stderr + d).slice(-2000); });
    child.on("error", (error) => reject(new BenchFailure(`${node ? "node" : command}: ${error.message}`)));
    child.on("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      const kb = Number(/maxrss (\d+)/.exec(report)?.[1] ?? NaN);
      if (!okCodes.includes(code ?? -1)) {
        const said = stderr.trim().split("\n").pop();
        reject(new BenchFailure(`${node ? "node" : command} ${args.join(" ")} exited ${code}${said ? `: ${said}` : ""}`));
      } else resolve({ seconds, maxRssMb: kb / 1024, stdout });
    });
  });
}
