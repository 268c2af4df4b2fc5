// The reference tracker holds half-open connections as pending SYNs, as the WebAssembly tracker
// does: under a SYN flood its connection store stays the size of the connections that are more
// than a lone SYN, before and at the end of the input (where the SYNs are replayed one at a
// time, in id order), and every connection still comes out, as the WebAssembly tracker gives it.

import { describe, it, expect } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeCapture } from "../../../sdk/index.js";
import { ConnectionTracker } from "../../../sdk/connections/tracker.js";
import { buildConnectionRecord } from "../../../sdk/connections/connection-record.js";
import { writeFlood } from "../../../bench/flood.js";
import { VIRTUAL_SHARDS } from "../../../sdk/connections/tracker-options.js";
import { scanWithBothTrackers } from "../../helpers/both-trackers.js";

describe("pending SYNs in the reference tracker", () => {
  it("keep a SYN flood out of the connection store, to the end; every connection comes out in id order at the end", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-pending-"));
    try {
      const path = join(dir, "flood.pcap");
      const count = 30_000, maxHalfOpen = 5_000;
      writeFlood(path, count, 1_000_000, [0x02, 0x02, 0x02, 0x10]); // a pure ACK every fourth: some records too
      const ids: number[] = [];
      let evicted = 0, largestStore = 0, largestPending = 0;
      const tracker = new ConnectionTracker({ maxHalfOpen, maxConnections: 1_000 }, (store, slot) => {
        const c = buildConnectionRecord(store, slot);
        ids.push(c.id);
        if (c.teardown.kind === "evicted") evicted++;
        largestStore = Math.max(largestStore, store.capacity);
      });
      for await (const batch of decodeCapture(path)) {
        tracker.processBatch(batch);
        largestPending = Math.max(largestPending, tracker.pending.size);
        largestStore = Math.max(largestStore, tracker.store.capacity);
      }
      const open = tracker.pending.size + tracker.store.live;
      let rounds = 0;
      while (!tracker.finish(1000)) rounds++;
      expect(ids).toHaveLength(count);
      expect(new Set(ids).size).toBe(count);
      expect(evicted).toBe(count - open);
      expect(largestPending).toBe(Math.ceil(maxHalfOpen / VIRTUAL_SHARDS) * VIRTUAL_SHARDS); // every virtual shard its share
      // Slots for the 1 000 records and a few being replayed: never one per pending SYN.
      expect(largestStore).toBeLessThanOrEqual(2048);
      expect(rounds).toBeGreaterThan(2);
      const atEnd = ids.slice(count - open);
      expect(atEnd).toEqual([...atEnd].sort((a, b) => a - b));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("give what the WebAssembly tracker gives: flooded, limited, and timed out while the capture goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ths-pending-"));
    try {
      const path = join(dir, "flood.pcap");
      writeFlood(path, 20_000, 2_000, [0x02, 0x02, 0x04, 0x02, 0x10]); // 10 s: attempt timers fire mid-capture
      for (const options of [{}, { maxHalfOpen: 300, maxConnections: 200 }]) {
        const r = await scanWithBothTrackers(path, options);
        expect(r.connections).toHaveLength(20_000);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
