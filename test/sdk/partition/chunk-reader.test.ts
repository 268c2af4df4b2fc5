// The reduce's reader of a bucket file checks each chunk header's checksum before it uses its
// counts and each chunk's records against theirs before it hands them on: from the SDK, a
// bucket scanner hands out the connections tracked before the damage, then throws a
// PartitionDamage (a PartitionError) naming the file and the damaged chunk's byte.

import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { cpSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { partitionCaptures, createBucketScanner, openPartitionSet, PartitionDamage, PartitionError } from "../../../sdk/index.js";
import { ChunkReader } from "../../../sdk/partition/chunk-reader.js";
import { checksum } from "../../../sdk/partition/checksum.js";
import { generateCapture } from "../../../bench/generate.js";
import { chunkPlaces, CHUNK_HEADER } from "../../helpers/partition-chunks.js";

const dir = mkdtempSync(join(tmpdir(), "ths-chunk-reader-"));
const PARTS = join(dir, "parts");
let bucketFile: string;
let all: number[]; // the undamaged bucket's connection ids, in order

async function ids(parts: string): Promise<{ ids: number[]; error: unknown }> {
  const seen: number[] = [];
  try {
    for await (const c of createBucketScanner(openPartitionSet(parts, 0, 1), 0)) seen.push(c.id);
    return { ids: seen, error: null };
  } catch (error) {
    return { ids: seen, error };
  }
}

/** A reader's area: records and tunnel records, grown as asked. */
function area() {
  return {
    bytes: new Uint8Array(0), tunnels: new Uint8Array(0),
    reserve(count: number) { this.bytes = new Uint8Array(count * 128); this.tunnels = new Uint8Array(count * 256); },
  };
}

beforeAll(async () => {
  const capture = join(dir, "c.pcap");
  generateCapture(capture, { bytes: 6e6, snaplen: 96, seed: 3 });
  await partitionCaptures([capture], PARTS, { buckets: 1 });
  bucketFile = join(PARTS, readdirSync(PARTS)[0]!, "bucket-00000.bin");
  const r = await ids(PARTS);
  expect(r.error).toBe(null);
  all = r.ids;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the partition checksum", () => {
  it("is CRC-32 (the check value of \"123456789\" is 0xCBF43926), continued piece by piece", () => {
    const text = new TextEncoder().encode("123456789");
    expect(checksum(text)).toBe(0xcbf43926);
    expect(checksum(text.subarray(4), checksum(text.subarray(0, 4)))).toBe(0xcbf43926);
    expect(checksum(new Uint8Array(0))).toBe(0);
  });
});

describe("ChunkReader", () => {
  it("reads every chunk of an undamaged file, as its headers place them", () => {
    const bytes = readFileSync(bucketFile), places = chunkPlaces(bytes);
    expect(places.length).toBeGreaterThan(2);
    const reader = new ChunkReader(bucketFile, openSync(bucketFile, "r"), bytes.length);
    const into = area();
    for (const place of places) {
      expect(reader.nextBatch()).toBe(bytes.readUInt32LE(place.at));
      expect(reader.read(into).count).toBe(place.records);
      expect(crc32(into.bytes.subarray(0, place.records * 128))).toBe(bytes.readUInt32LE(place.at + 24));
    }
    expect(reader.nextBatch()).toBe(-1);
    expect(reader.done).toBe(true);
    reader.close();
  });

  it("a damaged header is found by nextBatch(), before its batch number is used", () => {
    const bytes = readFileSync(bucketFile), second = chunkPlaces(bytes)[1]!;
    bytes[second.at + 1]! ^= 1; // the batch number
    const damaged = join(dir, "header.bin");
    writeFileSync(damaged, bytes);
    const reader = new ChunkReader(damaged, openSync(damaged, "r"), bytes.length);
    reader.read(area());
    expect(() => reader.nextBatch()).toThrow(new PartitionDamage(`${damaged}: byte ${second.at}: a chunk header's checksum does not match: the bucket file is damaged (run its partition task again)`));
    reader.close();
  });

  it("a read that fails (EIO on a disk; here a directory read as the file): a PartitionDamage naming the file and the byte", () => {
    const reader = new ChunkReader(bucketFile, openSync(dir, "r"), statSync(bucketFile).size);
    let thrown: unknown = null;
    try { reader.nextBatch(); } catch (error) { thrown = error; }
    expect(thrown).toBeInstanceOf(PartitionDamage); // exit 4: what was tracked before it stands
    expect((thrown as Error).name).toBe("PartitionDamage"); // as a log or an uncaught error names it
    expect(new PartitionError("x").name).toBe("PartitionError");
    expect((thrown as Error).message).toBe(`${bucketFile}: byte 32: cannot be read: illegal operation on a directory (EISDIR)`);
    reader.close();
  });
});

describe("a bucket scanner over a damaged bucket file", () => {
  it("hands out the connections before the damage, then throws a PartitionDamage naming the file and the chunk's byte", async () => {
    const copy = join(dir, "damaged");
    cpSync(PARTS, copy, { recursive: true });
    const file = join(copy, readdirSync(copy)[0]!, "bucket-00000.bin");
    const bytes = readFileSync(file), places = chunkPlaces(bytes), last = places.at(-1)!;
    expect(statSync(file).size).toBe(last.at + last.bytes);
    bytes[last.at + CHUNK_HEADER + 7]! ^= 0x80;
    writeFileSync(file, bytes);
    const r = await ids(copy);
    expect(r.error).toBeInstanceOf(PartitionDamage);
    expect(r.error).toBeInstanceOf(PartitionError);
    expect((r.error as Error).message).toBe(`${file}: byte ${last.at}: the checksum of the chunk's records does not match: the bucket file is damaged (run its partition task again)`);
    expect(r.ids.length).toBeGreaterThan(0);
    const known = new Set(all);
    for (const id of r.ids) expect(known.has(id)).toBe(true);
  });
});
