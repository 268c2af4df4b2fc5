// One-packet floods through worker threads: a flood ends about one connection per packet, so a
// worker sends its ended connections in pieces of a batch (scan-worker.ts) and waits for the
// main thread to consume them (batch-ring.ts). Every kind must come out whole, in the same
// order and with the same evictions for any thread count — each virtual shard keeps its own
// share of the bounds and ends its own connections, whichever worker tracks it — as records
// and as the lines workers write, without the workers and the main thread waiting on each other
// (the timeout bounds a hang; nothing here is timed).

import { describe, it, expect } from "vitest";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scan, createLineScanner } from "../../../sdk/index.js";
import { writeFlood } from "../../../bench/flood.js";

const KINDS: [string, number | number[], string][] = [
  ["lone SYNs", 0x02, "S0"],
  ["RSTs", 0x04, "OTH"],
  ["pure ACKs", 0x10, "OTH"],
  ["SYN/ACKs", 0x12, "OTH"],
  ["FIN/ACKs", 0x11, ""],
  ["SYNs and ACKs in turn", [0x02, 0x10], ""],
  // Two packets a connection from every third source: records, bounded by maxConnections.
  ["ACKs, some connections twice", [0x10, 0x10, 0x10], ""],
];

async function ndjson(path: string, threads: number, limits: object): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of createLineScanner(path, { threads, ...limits }, { format: "ndjson" }).chunks()) parts.push(Buffer.from(chunk));
  return createHash("sha256").update(Buffer.concat(parts)).digest("hex");
}

describe("one-packet floods with worker threads", () => {
  for (const [name, flags, state] of KINDS) {
    it(`${name}: every packet a connection, the same records and evictions for 1 to 4 threads`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "ths-flood-threads-"));
      try {
        const path = join(dir, "flood.pcap");
        const packets = 24_000; // six batches of 4 096 packets, each ending thousands
        const twice = Array.isArray(flags) && flags.length === 3;
        writeFlood(path, packets, 1_000_000, flags, twice ? 3 : 0);
        const limits = { maxConnections: 2_000, maxHalfOpen: 3_000 };
        const runs = [];
        for (const threads of [1, 2, 3, 4]) {
          const { connections, report } = await scan(path, { threads, ...limits });
          const digest = createHash("sha256");
          for (const c of connections) digest.update(JSON.stringify(c));
          runs.push({ digest: digest.digest("hex"), connections, report });
        }
        const expected = twice ? packets - Math.floor(packets / 3) : packets;
        for (const { connections, report } of runs) {
          expect(connections.length).toBe(expected);
          expect(new Set(connections.map((c) => c.id)).size).toBe(expected);
          if (state) expect(connections.every((c) => c.connState === state)).toBe(true);
          const evicted = report.byTeardown.evicted ?? 0;
          // One-sided connections that a RST closed end early past the bound too (counted by
          // their teardown); the others are reported as evicted.
          if (flags !== 0x04 && flags !== 0x11) {
            expect(evicted).toBeGreaterThan(expected - 6_000);
            expect(report.quality.findings.map((f) => f.id)).toContain("evicted");
          }
        }
        for (const [k, run] of runs.entries()) expect(run.digest, `${k + 1} threads`).toBe(runs[0]!.digest);
        const lines = await ndjson(path, 1, limits);
        for (const threads of [3, 4]) expect(await ndjson(path, threads, limits), `ndjson, ${threads} threads`).toBe(lines);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 180_000);
  }
});
