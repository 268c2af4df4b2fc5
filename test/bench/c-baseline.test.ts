// The native-limit row of `npm run bench` builds ../shared/perf/c_baseline.c and runs it on the
// generated captures. Its flow classes are an independent reading of the short mix: they must
// be the generator's counts, kind by kind, at full and at 96-byte snaplen.

import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCapture } from "../../bench/generate.js";
import { buildCBaseline, cBaselineCounts } from "../../bench/c-baseline.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ths-c-baseline-test-"));
// Not beside this checkout (../shared/perf): skipped, as without a C compiler.
const built = (() => { try { return buildCBaseline(ROOT, dir); } catch (error) { return { missing: String(error) }; } })();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function counts(stdout: string): Record<string, number> {
  return Object.fromEntries([...stdout.matchAll(/(\w+)=([\d.]+)/g)].map((m) => [m[1]!, Number(m[2])]));
}

describe.skipIf(!("binary" in built))("c_baseline on the short mix", () => {
  for (const snaplen of [0, 96]) {
    it(`reads the whole capture and finds the generator's connections (snaplen ${snaplen || "full"})`, () => {
      const path = join(dir, `short-${snaplen}.pcap`);
      const g = generateCapture(path, { bytes: snaplen ? 3e6 : 12e6, snaplen, mix: "short", concurrency: 100, seed: 4 });
      // Classic pcap, little-endian, microseconds, Ethernet: what c_baseline reads.
      const header = readFileSync(path).subarray(0, 24);
      expect(header.readUInt32LE(0)).toBe(0xa1b2c3d4);
      expect(header.readUInt32LE(20)).toBe(1);
      const r = spawnSync((built as { binary: string }).binary, ["--flows", "--quiet", path], { encoding: "utf8" });
      expect(r.status).toBe(0);
      expect(cBaselineCounts(r.stdout)).toEqual({ packets: g.packets, flows: g.connections });
      const c = counts(r.stdout);
      expect(c.packets).toBe(g.packets);
      expect({
        closed: c.closed, refused: c.rejected, unanswered: c.syn_only, reset: c.reset, midstream: c.midstream,
        open: c.open! + c.half_closed! + c.half_open! + c.other!,
      }).toEqual(g.kinds);
    });
  }
});
