// What Node's own start costs on this machine, printed by `npm run bench` under its table: an
// environment that sets NODE_EXTRA_CA_CERTS (this one does: /etc/ssl/certs/ca-certificates.crt)
// makes Node read and parse that file before any script runs, ~30-40 ms of every run of the
// command here (docs/benchmarks.md, round 24; docs/benchmarks.md, "How the benchmarks run"),
// which the C program never pays. The figures above keep it (they time the command as a user of
// this environment runs it); this line says how much of each it is.

import { spawnSync } from "node:child_process";

const EXTRA_CA = "NODE_EXTRA_CA_CERTS";

/** One start of `node -e 0` under `env`, in milliseconds; null if node failed. */
export function nodeStartMs(env: NodeJS.ProcessEnv): number | null {
  const from = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["-e", "0"], { env, stdio: "ignore", timeout: 10_000 });
  return r.error || r.status !== 0 ? null : Number(process.hrtime.bigint() - from) / 1e6;
}

/** The line to print: node's start with this environment and without its NODE_EXTRA_CA_CERTS; null when it sets none. */
export function describeNodeStart(env: NodeJS.ProcessEnv = process.env, runs = 5): string | null {
  const file = env[EXTRA_CA];
  if (!file) return null;
  const without = { ...env };
  delete without[EXTRA_CA];
  // In turn, one run of each at a time, so that the machine's drift falls on both alike.
  let withIt: number | null = Infinity, withoutIt: number | null = Infinity;
  for (let i = 0; i < runs && withIt !== null && withoutIt !== null; i++) {
    const a = nodeStartMs(env), b = nodeStartMs(without);
    withIt = a === null ? null : Math.min(withIt, a);
    withoutIt = b === null ? null : Math.min(withoutIt, b);
  }
  if (withIt === null || withoutIt === null) return null;
  return `node start-up: ${withIt.toFixed(0)} ms here, ${withoutIt.toFixed(0)} ms without ${EXTRA_CA} (this environment sets it to ${file}; ` +
    `Node reads that file before any script): every run of ours above includes the difference, the C program's do not`;
}
