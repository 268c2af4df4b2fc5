// A SYN flood: every half-open connection comes out (by the attempt timer while the capture
// goes on, the rest at its end), none is lost, and the store recycles slots as they time out.
// Past the half-open limit, the oldest come out at once as "evicted", still every one of them:
// each virtual shard (tracker-options.ts) keeps its share and ends its own oldest, so that
// which ones does not depend on the thread count.

import { describe, it, expect } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScanner, scan } from "../../../sdk/index.js";
import { writeSynFlood } from "../../../bench/flood.js";
import { VIRTUAL_SHARDS } from "../../../sdk/connections/tracker-options.js";
import { packetShards, endedOldestPerShard } from "../../helpers/virtual-shards.js";

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
    const shards = await packetShards(path);
    const share = Math.ceil(limit / VIRTUAL_SHARDS); // 30 000 fill every shard past it
    let first: string | null = null;
    for (const threads of [1, 2, 3]) {
      const { connections, report } = await scan(path, { maxHalfOpen: limit, threads });
      expect(connections.length).toBe(syns);
      expect(connections.every((c) => c.connState === "S0")).toBe(true);
      expect(report.byTeardown.evicted! + report.byTeardown.open!).toBe(syns);
      expect(report.byTeardown.open).toBe(share * VIRTUAL_SHARDS);
      expect(report.quality.findings.map((f) => f.id)).toContain("evicted");
      // Each shard evicted its oldest, before any of its own still open; the same for any threads.
      const ids = (kind: string) => connections.filter((c) => (c.teardown.kind === "evicted") === (kind === "evicted")).map((c) => c.id);
      expect(endedOldestPerShard(shards, ids("evicted"), ids("open"), share)).toBe(true);
      const all = JSON.stringify(connections);
      first ??= all;
      expect(all === first, `${threads} threads`).toBe(true);
    }
  });
});
