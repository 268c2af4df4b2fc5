// The hand-off from the workers stays bounded also at the end of input: the one-packet
// connections still held then (up to --max-half-open of them) are ended a step at a time, each
// step only once the main thread has consumed all but MAX_UNCONSUMED of what the worker sent.
// A worker that ended them all at once would have sent thousands unconsumed. Counted by the
// workers (UnconsumedPeak), as records and as the lines workers write.

import { describe, it, expect } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trackInWorkers, linesInWorkers, wasmLinesFromWorkers } from "../../../sdk/parallel/parallel-tracker.js";
import { MAX_UNCONSUMED } from "../../../sdk/parallel/batch-ring.js";
import type { HandOffPeak } from "../../../sdk/parallel/messages.js";
import type { CaptureSummary } from "../../../sdk/decoder/decode-capture.js";
import { writeFlood } from "../../../bench/flood.js";

// All 20 000 are still held at the end of input (default --max-half-open 100 000): ~10 000 per
// worker to end then. Two workers, as `threads: 3`.
const PACKETS = 20_000;
const WORKERS = 2;
// Past MAX_UNCONSUMED, one more message: a step's connections (512 records; up to 767 lines,
// as a step of 256 joins the fewer than 512 not yet sent).
const FINAL_BOUND = MAX_UNCONSUMED + 768;

async function drain<T>(run: AsyncGenerator<T>): Promise<number> {
  let n = 0;
  for await (const _ of run) n++;
  return n;
}

describe("the workers' hand-off at the end of input", () => {
  for (const [name, flags] of [["pure ACKs", 0x10], ["lone SYNs", 0x02]] as const) {
    it(`${name}: records and lines go a step at a time, never more than the bound unconsumed`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "ths-hand-off-"));
      try {
        const path = join(dir, "flood.pcap");
        writeFlood(path, PACKETS, 1_000_000, flags);
        const records: HandOffPeak = { scan: 0, final: 0 };
        const summaries: CaptureSummary[] = [];
        let connections = 0;
        for await (const group of trackInWorkers([path], {}, WORKERS, summaries, records)) connections += group.count;
        expect(connections).toBe(PACKETS);
        const lines: HandOffPeak = { scan: 0, final: 0 };
        expect(await drain(linesInWorkers([path], {}, WORKERS, [], { format: "ndjson" }, { handOff: lines }))).toBeGreaterThan(0);
        // Bytes written as lines by the workers (as when the main thread is behind) or by the main thread.
        const workerLines: HandOffPeak = { scan: 0, final: 0 }, mainLines: HandOffPeak = { scan: 0, final: 0 };
        const ndjson = { format: "ndjson" };
        expect(await drain(wasmLinesFromWorkers([path], {}, WORKERS, [], ndjson, "ndjson", { behind: 0, handOff: workerLines }))).toBeGreaterThan(0);
        expect(await drain(wasmLinesFromWorkers([path], {}, WORKERS, [], ndjson, "ndjson", { behind: Infinity, handOff: mainLines }))).toBeGreaterThan(0);
        for (const [way, peak] of [["records", records], ["lines", lines], ["lines by the workers", workerLines], ["lines by this thread", mainLines]] as const) {
          // Every buffer sent comes back and is reused: a few wait at most (each message's).
          expect(peak.spares, way).toBeLessThanOrEqual(8);
          // Counted at the end of input (how far under the bound depends on how fast this thread
          // consumes; without the wait, 8 000+ are).
          expect(peak.final, way).toBeGreaterThan(0);
          expect(peak.final, way).toBeLessThanOrEqual(FINAL_BOUND);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});

describe("the main thread's buffers of lines at two threads", () => {
  it("are reused, also across the messages that only say a batch is complete", async () => {
    // Past a half-open bound of 1 000 every SYN ends the oldest held: each batch of 4 096 ends as
    // many, sent in 8 messages of 512, and each batch is followed by a message with none (the
    // worker waits for the next batch). A buffer of lines was lost with each of those: 24 more.
    const dir = mkdtempSync(join(tmpdir(), "ths-line-buffers-"));
    try {
      const path = join(dir, "flood.pcap");
      const packets = 100_000;
      writeFlood(path, packets, 1_000_000, 0x02);
      const counts: HandOffPeak = { scan: 0, final: 0 };
      let bytes = 0;
      const run = wasmLinesFromWorkers([path], { maxHalfOpen: 1000 }, 1, [], { format: "ndjson" }, "ndjson", { behind: Infinity, handOff: counts });
      for await (const chunk of run) bytes += chunk.length;
      expect(bytes).toBeGreaterThan(packets * 100);
      // As many as wait to be merged at once: a batch's 8 messages and the one being written.
      expect(counts.lineBuffers).toBeGreaterThan(0);
      expect(counts.lineBuffers).toBeLessThanOrEqual(12);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
