// The partition commands run as a user runs them, for the tests of test/cli/partition*.test.ts.

import { expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeRotatedCaptures } from "./rotated-captures.js";

export const BIN = fileURLToPath(new URL("../../dist/cli/bin.cjs", import.meta.url));

export function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000, maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** ndjson records sorted by id, one JSON text each. */
export const sorted = (ndjson: string) => ndjson.trim().split("\n").map((l) => JSON.parse(l)).sort((a, b) => a.id - b.id).map((r) => JSON.stringify(r));

/** Every bucket's ndjson, concatenated. */
export function reduceAll(parts: string, buckets: number, extra: string[] = [], said = { code: 0, stderr: "" }): string {
  let out = "";
  for (let b = 0; b < buckets; b++) {
    const r = run(["--from-partitions", parts, "--bucket", String(b), ...extra]);
    expect(r.stderr).toBe(said.stderr);
    expect(r.code).toBe(said.code);
    out += r.stdout;
  }
  return out;
}

/**
 * A temporary folder (named from `prefix`) with four rotated captures of one day, written before
 * the test file's tests and removed after them: `files` holds their paths from then on.
 */
export function rotatedCapturesFixture(prefix: string): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const files: string[] = [];
  beforeAll(() => { files.push(...writeRotatedCaptures(dir, { files: 4, seed: 11 })); }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, files };
}
