// One-packet floods through worker threads: a flood ends about one connection per packet, so a
// worker sends its ended connections in pieces of a batch (scan-worker.ts) and waits for the
// main thread to consume them (batch-ring.ts). Every kind must come out whole, in the same
// order and with the same evictions for any thread count, without the workers and the main
// thread waiting on each other (the timeout bounds a hang; nothing here is timed).

import { describe, it, expect } from "vitest";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scan } from "../../../sdk/index.js";
import { writeFlood } from "../../../bench/flood.js";

const KINDS: [string, number | number[], string][] = [
  ["RSTs", 0x04, "OTH"],
  ["pure ACKs", 0x10, "OTH"],
  ["SYN/ACKs", 0x12, "OTH"],
  ["SYNs and ACKs in turn", [0x02, 0x10], ""],
];

describe("one-packet floods with worker threads", () => {
  for (const [name, flags, state] of KINDS) {
    it(`${name}: every packet a connection, the same records and evictions for 1 to 3 threads`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "ths-flood-threads-"));
      try {
        const path = join(dir, "flood.pcap");
        const packets = 24_000; // six batches of 4 096 packets, each ending thousands
        writeFlood(path, packets, 1_000_000, flags);
        const runs = [];
        for (const threads of [1, 2, 3]) {
          const { connections, report } = await scan(path, { threads, maxConnections: 2_000, maxHalfOpen: 3_000 });
          const digest = createHash("sha256");
          for (const c of connections) digest.update(JSON.stringify(c));
          runs.push({ digest: digest.digest("hex"), connections, report });
        }
        for (const { connections, report } of runs) {
          expect(connections.length).toBe(packets);
          expect(new Set(connections.map((c) => c.id)).size).toBe(packets);
          if (state) expect(connections.every((c) => c.connState === state)).toBe(true);
          const evicted = report.byTeardown.evicted ?? 0;
          // One-sided connections that a RST closed end early past the bound too (counted by
          // their teardown); the others are reported as evicted.
          if (flags !== 0x04) {
            expect(evicted).toBeGreaterThan(packets - 6_000);
            expect(report.quality.findings.map((f) => f.id)).toContain("evicted");
          }
        }
        // Two threads: one worker, holding the whole bounds, so the very same records. Three:
        // two workers, each keeping its share, so which ones are evicted may differ.
        expect(runs[1]!.digest).toBe(runs[0]!.digest);
        expect(runs[2]!.report.connections).toBe(runs[0]!.report.connections);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 180_000);
  }
});
