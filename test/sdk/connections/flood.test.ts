// A SYN flood: every half-open connection comes out (by the attempt timer while the capture
// goes on, the rest at its end), none is lost, and the store recycles slots as they time out.
// Past the half-open limit, the oldest come out at once as "evicted", still every one of them.

import { describe, it, expect } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScanner, scan } from "../../../sdk/index.js";
import { writeSynFlood } from "../../../bench/flood.js";

describe("SYN flood", () => {
  it("emits every half-open connection as S0, timed out or at the end, with bounded open connections", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ths-flood-test-")), "flood.pcap");
    const syns = 60_000, rate = 2_000; // 30 s of capture time: at most ~10 000 open at once
    writeSynFlood(path, syns, rate);
    let emitted = 0, timedOut = 0;
    const ids = new Set<number>();
    for await (const c of createScanner(path)) {
      emitted++;
      ids.add(c.id);
      expect(c.connState).toBe("S0");
      if (c.teardown.kind === "timeout") timedOut++;
    }
    expect(emitted).toBe(syns);
    expect(ids.size).toBe(syns);
    expect(timedOut).toBeGreaterThan(syns - rate * 6); // all but the last ~5 s timed out
  });

  it("keeps at most maxHalfOpen half-open: the oldest end early as evicted, none is lost", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ths-flood-test-")), "flood.pcap");
    const syns = 30_000, limit = 4_000;
    writeSynFlood(path, syns, 1_000_000); // 30 ms of capture time: no attempt timer fires
    for (const threads of [1, 2, 3]) {
      const { connections, report } = await scan(path, { maxHalfOpen: limit, threads });
      expect(connections.length).toBe(syns);
      expect(connections.every((c) => c.connState === "S0")).toBe(true);
      // Each of the threads - 1 workers keeps its share of the limit.
      const kept = threads === 1 ? limit : Math.ceil(limit / (threads - 1)) * (threads - 1);
      expect(report.byTeardown.evicted! + report.byTeardown.open!).toBe(syns);
      expect(report.byTeardown.open).toBeLessThanOrEqual(kept);
      expect(report.byTeardown.open).toBeGreaterThan(kept * 0.9); // each worker kept nearly its share
      expect(report.quality.findings.map((f) => f.id)).toContain("evicted");
      // Evicted in the order they came, before any still open.
      const evicted = connections.filter((c) => c.teardown.kind === "evicted").map((c) => c.id);
      if (threads === 1) expect(evicted).toEqual([...evicted].sort((a, b) => a - b));
    }
  });
});
