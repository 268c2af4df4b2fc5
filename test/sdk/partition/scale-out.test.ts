// The exact scale-out: partition (map) over subsets of rotated captures, then each bucket
// tracked on its own (reduce); the union of the buckets' records equals a single-machine scan
// of the same files, record for record, ids and frame numbers included.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// The partition API as the package exports it.
import {
  scan, partitionCaptures, createBucketScanner, openPartitionSet, PartitionError, MAX_BUCKETS, type ConnectionRecord,
} from "../../../sdk/index.js";
import { writeRotatedCaptures } from "../../helpers/rotated-captures.js";
import { corpusDir } from "../../helpers/decode.js";
import { orderByFirstPacket } from "../../../cli/inputs.js";
import { readdirSync, existsSync } from "node:fs";
import { generateCapture } from "../../../bench/generate.js";
import { Conversation } from "../../helpers/conversation.js";
import { writePcap } from "../../helpers/capture-writer.js";
import { F } from "../../helpers/packets.js";

const dir = mkdtempSync(join(tmpdir(), "ths-partition-"));
let files: string[];
let single: ConnectionRecord[];
let boundaries: number[]; // the frame number each file after the first starts at

beforeAll(async () => {
  files = writeRotatedCaptures(dir, { files: 5 });
  const result = await scan(files);
  single = result.connections;
  let frames = 0;
  boundaries = result.captures.slice(0, -1).map((c) => (frames += c.stats.packets) + 1);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const byId = (records: ConnectionRecord[]) => [...records].sort((a, b) => a.id - b.id).map((r) => JSON.stringify(r));

async function reduceAll(out: string, buckets: number): Promise<ConnectionRecord[]> {
  const all: ConnectionRecord[] = [];
  for (let b = 0; b < buckets; b++) {
    const set = openPartitionSet(out, b);
    for await (const c of createBucketScanner(set, b)) all.push(c);
  }
  return all;
}

describe("partition, then a reduce per bucket", () => {
  it("equals the single-machine scan: several map tasks over file subsets, connections across files", async () => {
    const out = join(dir, "parts");
    // Map tasks over interleaved subsets, in any order: the reduce puts the files in capture order.
    await partitionCaptures([files[1]!, files[3]!], out, { buckets: 7 });
    await partitionCaptures([files[0]!, files[2]!, files[4]!], out, { buckets: 7 });
    const union = await reduceAll(out, 7);
    expect(single.length).toBeGreaterThan(500);
    // Connections that cross a file boundary, and ones ended by timers a step back in time.
    const crossing = single.filter((c) => boundaries.some((b) => c.firstPacket < b && c.lastPacket >= b));
    expect(crossing.length).toBeGreaterThan(20);
    expect(union.length).toBe(single.length);
    expect(byId(union)).toEqual(byId(single));
  }, 120_000);

  it("rotated files whose first packets share a time: one order for any grouping of map tasks and any command line", async () => {
    // One connection's 10 packets at one instant, 2 to a file: read in another order, its
    // history and sizes change (the map outputs' names, hashes of paths, once broke such ties).
    const { SYN, ACK, PSH, FIN } = F;
    const c = new Conversation({ start: 1_700_000_500 }).c(SYN).s({ flags: SYN | ACK, dt: 0 }).c({ flags: ACK, dt: 0 })
      .c({ flags: ACK | PSH, payload: 10, dt: 0 }).s({ flags: ACK, dt: 0 }).s({ flags: ACK | PSH, payload: 20, dt: 0 }).c({ flags: ACK, dt: 0 })
      .c({ flags: FIN | ACK, dt: 0 }).s({ flags: FIN | ACK, dt: 0 }).c({ flags: ACK, dt: 0 });
    const tied = Array.from({ length: 5 }, (_, k) => {
      const file = join(dir, `tied-${k}.pcap`);
      writeFileSync(file, writePcap(c.frames.slice(2 * k, 2 * k + 2)));
      return file;
    });
    const inOrder = (await scan(tied)).connections;
    expect(inOrder.map((r) => [r.history, r.connState])).toEqual([["ShADadFf", "SF"]]);
    // The command orders them so from any command line.
    expect((await scan(await orderByFirstPacket([...tied].reverse()))).connections).toEqual(inOrder);
    for (const groups of [[[4], [3], [2], [1], [0]], [[0, 4], [2, 1, 3]], [[3, 1, 4, 0, 2]]]) {
      const out = join(dir, `tied-parts-${groups.length}`);
      for (const g of groups) await partitionCaptures(g.map((k) => tied[k]!), out, { buckets: 2 });
      expect(byId(await reduceAll(out, 2)), JSON.stringify(groups)).toEqual(byId(inOrder));
    }
  }, 120_000);

  it("carries each tunnelled record's levels: the reduce gives the scan's tunnel chains", async () => {
    const vxlan = join(dir, "vxlan.pcap");
    generateCapture(vxlan, { bytes: 2e6, concurrency: 100, seed: 9, vxlan: true });
    const whole = (await scan(vxlan)).connections;
    expect(whole.length).toBeGreaterThan(50);
    const out = join(dir, "vxlan-parts");
    await partitionCaptures([vxlan], out, { buckets: 3 });
    const reduced = await reduceAll(out, 3);
    expect(reduced.every((c) => c.tunnel?.chain?.[0]?.type === "vxlan")).toBe(true);
    expect(byId(reduced)).toEqual(byId(whole));
  }, 120_000);

  it("one bucket and one map task give the scan itself", async () => {
    const out = join(dir, "one");
    await partitionCaptures(files, out, { buckets: 1 });
    expect(byId(await reduceAll(out, 1))).toEqual(byId(single));
  }, 120_000);

  it("refuses what it cannot do: buckets out of range (RangeError), a bucket or partitions not there (PartitionError)", async () => {
    await expect(partitionCaptures(files, join(dir, "bad"), { buckets: MAX_BUCKETS + 1 })).rejects.toThrow(RangeError);
    expect(() => openPartitionSet(join(dir, "none"), 0)).toThrow(PartitionError);
    const out = join(dir, "two");
    await partitionCaptures(files, out, { buckets: 2 });
    expect(() => openPartitionSet(out, 2)).toThrow(/no bucket 2 \(the map tasks made buckets 0 to 1\)/);
  }, 120_000);
});

const corpus = corpusDir();
if (!corpus) {
  describe("partition over the real corpus", () => {
    it.skip("../shared/corpus is absent: the scale-out over real captures is not checked", () => {});
  });
}

describe.runIf(corpus)("partition over the real corpus", () => {
  it("its good captures read as one (clock jumps and steps back between them): the buckets equal the scan", async () => {
    const good = join(corpus!, "real", "good");
    const files = (await orderByFirstPacket(readdirSync(good).filter((f) => /\.pcap(ng)?$/.test(f)).map((f) => join(good, f)))) as string[];
    const whole = (await scan(files)).connections;
    expect(whole.length).toBeGreaterThan(100);
    const out = join(dir, "corpus");
    const third = Math.ceil(files.length / 3);
    for (let k = 0; k < 3; k++) await partitionCaptures(files.slice(k * third, (k + 1) * third), out, { buckets: 6 });
    expect(byId(await reduceAll(out, 6))).toEqual(byId(whole));
  }, 120_000);
});

describe("partitionCaptures stopped by its signal", () => {
  it("stops mid-file when the signal aborts from a timer, and removes its temporary directory", async () => {
    const big = join(dir, "abort-big.pcap");
    generateCapture(big, { bytes: 12e6, snaplen: 96, seed: 3 }); // ~120 000 packets, ~30 batches
    const out = join(dir, "aborted");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0); // runs only when the map loop lets the event loop in
    await expect(partitionCaptures([big], out, { buckets: 4, signal: controller.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(existsSync(out)).toBe(false); // and the directory it made for it
  });

  it("a bucket scanner stops mid-bucket when its signal aborts from a timer", async () => {
    const big = join(dir, "abort-big.pcap");
    const parts = join(dir, "abort-reduce");
    await partitionCaptures([big], parts, { buckets: 1 }); // every batch in bucket 0
    let all = 0;
    for await (const _c of createBucketScanner(openPartitionSet(parts, 0), 0)) all++;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0); // runs only when the reduce lets the event loop in
    let seen = 0;
    await expect((async () => {
      for await (const _c of createBucketScanner(openPartitionSet(parts, 0), 0, { signal: controller.signal })) seen++;
    })()).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toBeLessThan(all);
  });
});
