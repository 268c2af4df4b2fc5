// The first worker's ended ring (sdk/parallel/ended-ring.ts): the tracker writes its ended
// connections into a ring the main thread copies them from, and reuses a record's room (and
// frees its history and tunnel chain blocks) only once the main thread has released it
// (RingWriter.released, batch-ring.ts). Here one thread plays both sides: a slow consumer that
// copies and releases only when the worker must wait (the ring full), so every record is read
// at the last moment before its room is reused; the lines must be one thread's, none written
// over. Then the whole two-thread scan: floods, and a loop left early.

import { describe, it, expect, vi } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeCapture } from "../../../sdk/index.js";
import { WasmConnectionTracker } from "../../../sdk/connections/wasm-tracker.js";
import { instantiateTracker } from "../../../sdk/connections/tracker-module.js";
import { createRing, RingReader, RingWriter } from "../../../sdk/parallel/batch-ring.js";
import { EndedRing, type EndedRuns } from "../../../sdk/parallel/ended-ring.js";
import { EndedLinesWriter } from "../../../sdk/parallel/ended-lines.js";
import { wasmLinesFromWorkers } from "../../../sdk/parallel/parallel-tracker.js";
import { lineWriter } from "../../../sdk/lines/line-formats.js";
import type { CaptureInput } from "../../../sdk/decoder/capture-input.js";
import type { ScanOptions } from "../../../sdk/scan.js";
import { writeFlood } from "../../../bench/flood.js";
import { createLineScanner } from "../../../sdk/index.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { F } from "../../helpers/packets.js";
import { tunnelCapture } from "../../helpers/wasm-line-fixtures.js";
import { CONN_SIZE, C_HISTORY_MORE } from "../../../assembly/connection-layout.js";

const sorted = (text: string) => text.split("\n").filter((l) => l.length > 0).sort();

/** One thread's ndjson. */
async function oneThread(input: CaptureInput, options: ScanOptions): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of createLineScanner(input, { ...options, threads: 1 }, { format: "ndjson" }).chunks()) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts).toString("utf8");
}

/** `count` connections, each with a history past the inline letters (a block), ending over time. */
function historyBlocks(count: number): Uint8Array {
  const conversations: Conversation[] = [];
  for (let i = 0; i < count; i++) {
    const c = new Conversation({ clientPort: 10_000 + i, start: 1_700_000_000 + i * 0.01 }).c(F.SYN).s(F.SYN | F.ACK).c(F.ACK);
    for (let k = 0; k < 20; k++) c.c({ flags: F.RST, seq: 90_000 + k * 7, dt: 1 }).s({ flags: F.FIN | F.ACK, seq: 70_000 + k * 3, dt: 1 });
    conversations.push(c);
  }
  return writePcap(merge(...conversations));
}

/**
 * The lines of `input`'s connections, each written by this thread from the ring (copied as the
 * main thread copies them) only when the worker would otherwise wait: the ring holds `records`.
 */
async function slowConsumer(
  input: CaptureInput, options: ScanOptions, records: number,
): Promise<{ lines: string; waits: number; copied: number; freed: number }> {
  const tracker = new WasmConnectionTracker(options, null);
  const ring = createRing(1, 4), writer = new RingWriter(ring);
  const lines = new EndedLinesWriter({ tracker: instantiateTracker(), format: "ndjson" }, () => lineWriter({ format: "ndjson" }));
  const text: string[] = [];
  let copied = 0;
  const consume = (runs: EndedRuns) => {
    const count = runs.counts.reduce((n, c) => n + c, 0);
    if (count > 0) {
      const { bytes } = lines.linesFromRuns(tracker.wasm.memory, runs.at, runs.counts, count);
      text.push(Buffer.from(bytes).toString("utf8"));
      copied += count;
    }
    writer.released(0, runs.releaseTo);
  };
  // The tracker's exports, with the blocks the ring frees counted (records that point to one).
  let freed = 0;
  const wasm = { ...tracker.wasm, freeEndedBlocks: (at: number, count: number) => {
    const view = new DataView(tracker.wasm.memory.buffer);
    for (let k = 0; k < count; k++) if (view.getUint32(at + k * CONN_SIZE + C_HISTORY_MORE, true) !== 0) freed++;
    tracker.wasm.freeEndedBlocks(at, count);
  } };
  const ended = new EndedRing(wasm, new RingReader(ring, 0), () => consume(ended.take()), records);
  tracker.endedRuns = (at, count) => {
    ended.add(at, count);
    ended.next();
  };
  for await (const batch of decodeCapture(input)) tracker.processBatch(batch);
  tracker.finish();
  consume(ended.take());
  return { lines: text.join(""), waits: ended.waits, copied, freed };
}

describe("the ended ring", () => {
  it("never writes over a record the consumer has not released, blocks included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ended-ring-"));
    try {
      const flood = join(dir, "flood.pcap");
      writeFlood(flood, 20_000, 1_000_000, 0x02);
      const captures: [string, CaptureInput, ScanOptions][] = [
        ["a SYN flood past a half-open bound of 100", flood, { maxHalfOpen: 100 }],
        ["histories in blocks", historyBlocks(1500), {}],
        ["tunnels", tunnelCapture(), {}],
      ];
      for (const [name, input, options] of captures) {
        const expected = sorted(await oneThread(input, options));
        for (const records of [512, 1024]) {
          const { lines, waits, copied, freed } = await slowConsumer(input, options, records);
          const got = sorted(lines);
          expect(got.length, `${name}, ${records} records`).toBe(expected.length);
          expect(got.every((line, k) => line === expected[k]), `${name}, ${records} records`).toBe(true);
          expect(copied).toBe(expected.length);
          // The ring was full (the consumer this slow) whenever there was more to end than it holds.
          if (expected.length > records) expect(waits, name).toBeGreaterThan(0);
          // Each history block is freed once its record's room is to be reused (those of the last
          // lap stay with the ring, as the tracker's own ended buffer keeps its last call's).
          if (name === "histories in blocks") expect(freed).toBeGreaterThanOrEqual(expected.length - records);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("is refused smaller than two calls' room", () => {
    const tracker = new WasmConnectionTracker({}, null);
    const ring = createRing(1, 4);
    expect(() => new EndedRing(tracker.wasm, new RingReader(ring, 0), () => {}, 256)).toThrow(RangeError);
  });
});

describe("ended records read in place at two threads", () => {
  it("give one thread's lines under floods, copied by this thread from the worker's ring", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ended-in-place-"));
    const fromRuns = vi.spyOn(EndedLinesWriter.prototype, "linesFromRuns");
    try {
      for (const [flags, options] of [[0x02, { maxHalfOpen: 1000 }], [0x10, {}], [0x04, { maxConnections: 500 }]] as const) {
        const path = join(dir, `flood-${flags}.pcap`);
        writeFlood(path, 30_000, 1_000_000, flags);
        const expected = await oneThread(path, options);
        for (const behind of [Infinity, 512]) {
          fromRuns.mockClear();
          const parts: Buffer[] = [];
          for await (const chunk of wasmLinesFromWorkers([path], options, 1, [], { format: "ndjson" }, "ndjson", { behind })) parts.push(Buffer.from(chunk));
          const got = Buffer.concat(parts).toString("utf8");
          expect(got === expected, `flags ${flags}, behind ${behind}`).toBe(true);
          if (behind === Infinity) expect(fromRuns).toHaveBeenCalled();
        }
      }
    } finally {
      fromRuns.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("leave nothing waiting when a loop is left early, and the next scan is whole", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ended-in-place-"));
    try {
      const path = join(dir, "flood.pcap");
      writeFlood(path, 40_000, 1_000_000, 0x02);
      const options = { maxHalfOpen: 1000 };
      for (let k = 0; k < 3; k++) {
        let chunks = 0;
        for await (const _ of wasmLinesFromWorkers([path], options, 1, [], { format: "ndjson" }, "ndjson", { behind: Infinity })) {
          if (++chunks === 2 + k) break;
        }
        expect(chunks).toBe(2 + k);
      }
      const expected = await oneThread(path, options);
      const parts: Buffer[] = [];
      for await (const chunk of wasmLinesFromWorkers([path], options, 1, [], { format: "ndjson" }, "ndjson", { behind: Infinity })) parts.push(Buffer.from(chunk));
      expect(Buffer.concat(parts).toString("utf8") === expected).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
