// Sharded trackers (shard-groups.ts): which flow groups a shard owns, and that trackers over
// shards that cover every group, evenly or weighted, end exactly the whole tracker's
// connections, batch by batch, both trackers alike (the WebAssembly tracker's look-ahead
// follows its own packets only; the reference tracker has none).

import { describe, it, expect } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ownedGroups, ownsGroup, type TrackerShard } from "../../../sdk/connections/shard-groups.js";
import { VIRTUAL_SHARDS } from "../../../sdk/connections/tracker-options.js";
import { GroupingTracker, byEndThenKey, type EndedGroup } from "../../../sdk/connections/track.js";
import { decodeInputs } from "../../../sdk/decoder/decode-inputs.js";
import type { CaptureSummary, CaptureInput } from "../../../sdk/index.js";
import { generateCapture } from "../../../bench/generate.js";
import { writeSynFlood } from "../../../bench/flood.js";
import { corpusDir, capturesUnder, rng } from "../../helpers/decode.js";
import { writePcap, type Frame } from "../../helpers/capture-writer.js";
import { Conversation, merge } from "../../helpers/conversation.js";
import { F } from "../../helpers/packets.js";

const groupsOf = (shard?: TrackerShard) => {
  const owned = ownedGroups(shard);
  return Array.from({ length: VIRTUAL_SHARDS }, (_, g) => g).filter((g) => ownsGroup(owned, g));
};

describe("the flow groups a shard owns", () => {
  it("without a shard, all; without weights, group mod count == index (the rule before weights)", () => {
    expect(groupsOf()).toHaveLength(VIRTUAL_SHARDS);
    for (const count of [1, 2, 3, 5, 8, 64, 100]) {
      for (let index = 0; index < count; index++) {
        expect(groupsOf({ index, count })).toEqual(groupsOf().filter((g) => g % count === index));
      }
    }
  });

  it("with weights, contiguous runs in proportion that cover every group once", () => {
    const splits: number[][] = [[1, 4], [4, 1], [1, 1], [0.2, 0.8], [1, 2, 3], [0, 1], [3, 0, 1], [1, 1, 1, 1, 1, 1, 1, 1], [1e-9, 1]];
    for (const weights of splits) {
      const shards = weights.map((_, index) => groupsOf({ index, count: weights.length, weights }));
      expect(shards.flat()).toEqual(groupsOf());
      const total = weights.reduce((a, b) => a + b, 0);
      for (let k = 0; k < weights.length; k++) {
        expect(Math.abs(shards[k]!.length - (VIRTUAL_SHARDS * weights[k]!) / total)).toBeLessThanOrEqual(1);
      }
    }
    expect(groupsOf({ index: 0, count: 2, weights: [1, 4] })).toEqual(Array.from({ length: 13 }, (_, g) => g));
  });

  it("refuses a shard that is not one", () => {
    for (const shard of [{ index: 2, count: 2 }, { index: -1, count: 2 }, { index: 0, count: 0 }, { index: 0.5, count: 2 },
      { index: 0, count: 2, weights: [1] }, { index: 0, count: 2, weights: [1, -1] }, { index: 0, count: 2, weights: [0, 0] },
      { index: 0, count: 2, weights: [1, NaN] }, { index: 0, count: 2, weights: [1, Infinity] }]) {
      expect(() => ownedGroups(shard)).toThrow(RangeError);
    }
  });
});

/** Each batch's ended connections (ids and ends, in the canonical order) and the records, of trackers over `shards`, merged. */
async function trackSharded(file: CaptureInput, tracker: "wasm" | "typescript", shards: (TrackerShard | undefined)[]): Promise<string[][]> {
  const trackers = shards.map((shard) => new GroupingTracker({ tracker, shard, maxConnections: 400, maxHalfOpen: 640 }));
  const batches: string[][] = [];
  const ended: { at: number; key: number; line: string }[] = [];
  // A group's records are read before the next group is unpacked (they share a store).
  const take = (groups: Iterable<EndedGroup>) => {
    for (const g of groups) g.records.forEach((r, k) => ended.push({ at: g.endedAt[k]!, key: g.key(k), line: JSON.stringify(r) }));
  };
  const endBatch = () => batches.push(ended.splice(0).sort(byEndThenKey).map((e) => e.line));
  const summaries: CaptureSummary[] = [];
  for await (const { batch, packetBase } of decodeInputs([file], {}, summaries)) {
    for (const t of trackers) {
      t.tracker.packetBase = packetBase;
      take(t.process(batch));
    }
    endBatch();
  }
  for (const t of trackers) take(t.finishAll());
  endBatch();
  return batches;
}

const splits: (TrackerShard | undefined)[][] = [
  [{ index: 0, count: 2 }, { index: 1, count: 2 }],
  [{ index: 0, count: 3 }, { index: 1, count: 3 }, { index: 2, count: 3 }],
  [0, 1, 2, 3, 4, 5, 6, 7].map((index) => ({ index, count: 8 })),
  [{ index: 0, count: 2, weights: [1, 4] }, { index: 1, count: 2, weights: [1, 4] }],
  [0, 1, 2].map((index) => ({ index, count: 3, weights: [0.15, 0.6, 0.25] })),
];

async function expectSameSplitting(file: CaptureInput): Promise<number> {
  const whole = await trackSharded(file, "wasm", [undefined]);
  expect(await trackSharded(file, "typescript", [undefined])).toEqual(whole);
  for (const shards of splits) {
    expect(await trackSharded(file, "wasm", shards)).toEqual(whole);
    // One shard alone, both trackers: the same connections (it sees every packet's clock).
    expect(await trackSharded(file, "typescript", [shards[0]])).toEqual(await trackSharded(file, "wasm", [shards[0]]));
  }
  return whole.flat().length;
}

describe("sharded trackers end the whole tracker's connections", () => {
  it("on a generated capture that grows every table, with the connection bounds reached", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ths-shard-groups-")), "gen.pcap");
    generateCapture(path, { bytes: 6e6, snaplen: 96, seed: 11, concurrency: 3000 });
    expect(await expectSameSplitting(path)).toBeGreaterThan(3000);
  }, 120_000);

  it("on a SYN flood past the half-open bound", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ths-shard-groups-")), "flood.pcap");
    writeSynFlood(path, 5_000, 1_000_000);
    expect(await expectSameSplitting(path)).toBe(5_000);
  }, 60_000);

  it("with timers due at other shards' packets and timestamps stepping back", async () => {
    // 2 400 connections over 120 s: unanswered SYNs (their attempt timers), some retried,
    // short exchanges closed by FIN or RST; one frame in 13 stamped 7 s back. A tracker checks its timers at
    // its own packets (and at each batch's end) for the times of the others' packets before them.
    const random = rng(5);
    const { SYN, ACK, FIN, RST, PSH } = F;
    const conversations: Conversation[] = [];
    for (let n = 0; n < 2_400; n++) {
      const c = new Conversation({ client: `10.1.${n >> 8}.${n & 255}`, clientPort: 20_000 + n, start: 1_700_000_000 + n * 0.05 });
      const kind = Math.floor(random() * 4);
      if (kind === 0) c.c(SYN);
      // Retried 5-11 s later: stamped back, the retry comes before its attempt timer's deadline
      // while the packets before it come after.
      else if (kind === 3) c.c(SYN).c({ flags: SYN, dt: 5000 + random() * 6000 });
      else if (kind === 1) c.c(SYN).s(SYN | ACK).c(ACK).c({ flags: ACK | PSH, payload: 50, dt: random() * 9000 }).c(FIN | ACK).s(FIN | ACK).c(ACK);
      else c.c(SYN).s(SYN | ACK).c({ flags: RST, dt: random() * 6000 });
      conversations.push(c);
    }
    const frames: Frame[] = merge(...conversations).map((f, k) => (k % 13 === 5 ? { ...f, sec: f.sec! - 7 } : f));
    expect(await expectSameSplitting(writePcap(frames))).toBeGreaterThan(2_400);
  }, 120_000);

  const corpus = corpusDir();
  it.skipIf(!corpus)("on every corpus capture, in two, in eight and weighted", async () => {
    const files = capturesUnder(corpus!);
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) {
      const whole = await trackSharded(file, "wasm", [undefined]);
      for (const shards of [splits[0]!, splits[2]!, splits[4]!]) expect(await trackSharded(file, "wasm", shards)).toEqual(whole);
    }
  }, 240_000);
});
