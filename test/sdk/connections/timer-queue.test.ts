// The reference tracker's timer heap: entries left behind by ended connections are dropped once
// they are the majority, so that under a flood past the limits the heap holds about as many
// entries as connections are open, not one per connection ever seen.

import { describe, it, expect } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeCapture } from "../../../sdk/index.js";
import { ConnectionTracker } from "../../../sdk/connections/tracker.js";
import { TimerQueue } from "../../../sdk/connections/timer-queue.js";
import { writeFlood } from "../../../bench/flood.js";
import { rng } from "../../helpers/decode.js";

describe("TimerQueue.keep", () => {
  it("keeps the accepted entries and still gives them out earliest first", () => {
    const q = new TimerQueue();
    const next = rng(7);
    const pushed: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const d = Math.floor(next() * 500);
      pushed.push(d);
      q.push(d, i, 0);
    }
    q.keep((_d, slot) => slot % 3 === 0);
    const out: number[] = [];
    while (q.size > 0) { out.push(q.peekDeadline()); expect(q.peekSlot() % 3).toBe(0); q.pop(); }
    expect(out).toEqual(pushed.filter((_d, i) => i % 3 === 0).sort((a, b) => a - b));
  });
});

describe("reference tracker under a flood", () => {
  for (const [kind, flags] of [["RST", 0x04], ["SYN", 0x02], ["ACK", 0x10]] as const) {
    it(`keeps its timer heap near the connections open: 40 000 one-packet ${kind} connections`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "ths-timers-"));
      try {
        const path = join(dir, "flood.pcap");
        const count = 40_000, maxConnections = 500, maxHalfOpen = 500;
        writeFlood(path, count, 1_000_000, flags); // 40 ms of capture time: no timer comes due
        let emitted = 0, largest = 0, openAtLargest = 0;
        const tracker = new ConnectionTracker({ maxConnections, maxHalfOpen }, () => { emitted++; });
        for await (const batch of decodeCapture(path)) {
          tracker.processBatch(batch);
          if (tracker.timers.size > largest) { largest = tracker.timers.size; openAtLargest = tracker.store.live; }
        }
        tracker.finish();
        expect(emitted).toBe(count);
        // Stale entries are dropped once they pass 256 and half the heap: at most 2 per open
        // connection (its current entry and one stale), plus the 256 and one batch's worth.
        expect(openAtLargest).toBeLessThanOrEqual(maxConnections + maxHalfOpen + 1);
        expect(largest).toBeLessThan(2 * (maxConnections + maxHalfOpen + 1) + 256 + 4096);
        expect(largest).toBeLessThan(count / 4);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
