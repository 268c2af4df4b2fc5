// Stopping a bucket's scan part-way, as a createScanner scan stops (the README calls it a
// Scanner like createScanner's): close() before the loop, close() inside it, close() and an
// AbortSignal from a timer (the bucket files are read synchronously: the scan must give the
// event loop turns for a timer to fire).

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { partitionCaptures, createBucketScanner, openPartitionSet } from "../../../sdk/index.js";
import { generateCapture } from "../../../bench/generate.js";

const dir = mkdtempSync(join(tmpdir(), "ths-bucket-stop-"));
const PARTS = join(dir, "parts");
let all = 0;
const bucketScanner = (options = {}) => createBucketScanner(openPartitionSet(PARTS, 0, 1), 0, options);

beforeAll(async () => {
  const capture = join(dir, "big.pcap");
  generateCapture(capture, { bytes: 24e6, snaplen: 96, seed: 7 }); // ~3 000 connections
  await partitionCaptures([capture], PARTS, { buckets: 1 });
  for await (const _c of bucketScanner()) all++;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("stopping a bucket scanner", () => {
  it("close() before the loop: nothing is read", async () => {
    const scanner = bucketScanner();
    await scanner.close();
    let n = 0;
    for await (const _c of scanner) n++;
    expect(n).toBe(0);
  });

  it("close() inside the loop: no record after it, not even the rest of the batch", async () => {
    const scanner = bucketScanner();
    let n = 0, closing: Promise<void> | undefined;
    for await (const _c of scanner) if (++n === 3) closing = scanner.close();
    await closing;
    expect(n).toBe(3);
  });

  it("close() from a timer stops the loop part-way", async () => {
    const scanner = bucketScanner();
    setTimeout(() => void scanner.close(), 0);
    let n = 0;
    for await (const _c of scanner) n++;
    expect(all).toBeGreaterThan(1000);
    expect(n).toBeLessThan(all);
  });

  it("an AbortSignal from a timer: the loop throws its reason part-way", async () => {
    let n = 0;
    const loop = async () => { for await (const _c of bucketScanner({ signal: AbortSignal.timeout(1) })) n++; };
    await expect(loop()).rejects.toThrow(expect.objectContaining({ name: "TimeoutError" }));
    expect(n).toBeLessThan(all);
  });

  it("an AbortSignal aborted inside the loop: no record after it", async () => {
    const controller = new AbortController();
    let n = 0;
    const loop = async () => { for await (const _c of bucketScanner({ signal: controller.signal })) if (++n === 4) controller.abort(); };
    await expect(loop()).rejects.toThrow(expect.objectContaining({ name: "AbortError" }));
    expect(n).toBe(4);
  });
});

describe("openPartitionSet's and createBucketScanner's arguments", () => {
  it("a maps count or bucket that cannot be is a TypeError or RangeError naming it, not a PartitionError about the partitions", async () => {
    expect(() => openPartitionSet(PARTS, 0, 0)).toThrow(new RangeError("maps must be a whole number of map outputs, at least 1, not 0"));
    expect(() => openPartitionSet(PARTS, 0, 1.5)).toThrow(new RangeError("maps must be a whole number of map outputs, at least 1, not 1.5"));
    expect(() => openPartitionSet(PARTS, 0, "1" as unknown as number)).toThrow(new TypeError("maps must be a number (a whole number of map outputs, at least 1), not \"1\""));
    expect(() => openPartitionSet(PARTS, "0" as unknown as number)).toThrow(new TypeError("bucket must be a number (a bucket number, from 0), not \"0\""));
    expect(() => openPartitionSet(PARTS, 1)).toThrow(/no bucket 1 \(the map tasks made buckets 0 to 0\)/);
    // A set opened for one bucket, scanned for one the map tasks did not make: refused as openPartitionSet refuses it.
    const scanBucket = async (b: number) => { for await (const _c of createBucketScanner(openPartitionSet(PARTS, 0), b)); };
    await expect(scanBucket(3)).rejects.toThrow(/no bucket 3 \(the map tasks made buckets 0 to 0\)/);
  });
});

describe("createBucketScanner's options", () => {
  it("are a scan's without the thread count and the decoder's, which the map tasks took: a TypeScript caller cannot pass those", async () => {
    const set = openPartitionSet(PARTS, 0);
    const taken = [
      // @ts-expect-error the map tasks chose the flow hash's seed
      () => createBucketScanner(set, 0, { hashSeed: 1 }),
      // @ts-expect-error the map tasks read the captures
      () => createBucketScanner(set, 0, { chunkSize: 1 << 16 }),
      // @ts-expect-error nothing is decoded here: no progress in bytes
      () => createBucketScanner(set, 0, { onProgress: () => {} }),
      // @ts-expect-error the map tasks reassembled the fragments
      () => createBucketScanner(set, 0, { fragmentTimeout: 30 }),
      // @ts-expect-error no decoder steps here
      () => createBucketScanner(set, 0, { everyStep: true }),
      // @ts-expect-error one thread: the reduce tasks are the parallelism
      () => createBucketScanner(set, 0, { threads: 2 }),
    ];
    expect(taken).toHaveLength(6);
    // What a reduce does take: the tracker's options and a signal.
    let n = 0;
    for await (const _c of createBucketScanner(set, 0, { maxConnections: Infinity, likelyServerPorts: [80], signal: new AbortController().signal })) n++;
    expect(n).toBe(all);
  });
});
