// Runs a built benchmark script (dist/bench/NAME.js) for its error paths: its exit code and what it said.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const DIST = fileURLToPath(new URL("../../dist/bench/", import.meta.url));

export const benchBuilt = (name: string) => existsSync(`${DIST}${name}.js`);

export function runBenchScript(name: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [`${DIST}${name}.js`, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
