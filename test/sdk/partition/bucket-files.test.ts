// The map task's bucket buffers: their memory is bounded whatever the bucket count (1 to
// 65 536), and a bucket that a batch filled gives its grown buffer back once written.

import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as L from "../../../assembly/layout.js";
import { BucketFiles } from "../../../sdk/partition/bucket-files.js";
import { NO_TICK, bucketName, CHUNK_HEADER_SIZE, FILE_HEADER_SIZE } from "../../../sdk/partition/format.js";
import { readDoc } from "../../helpers/doc-section.js";

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const newDir = () => { const d = mkdtempSync(join(tmpdir(), "ths-bucket-files-")); dirs.push(d); return d; };

const WORDS = L.RECORD_SIZE / 4;
const record = new Uint32Array(WORDS); // one record, no tunnel

describe("BucketFiles' buffers", () => {
  it("take a bounded room at 16 384 buckets, each bucket written to (they held 16 KiB a bucket: 256 MiB)", () => {
    const buckets = 16384;
    const files = new BucketFiles(newDir(), buckets);
    try {
      // Four batches of 4 096 records spread over every bucket.
      for (let batch = 0; batch < 4 * (buckets / 4096); batch++) {
        for (let k = 0; k < 4096; k++) files.add((batch * 4096 + k) % buckets, batch, record, 0, NO_TICK, 0, null, 0);
        files.endBatch(0, 4096, batch, 0);
      }
      expect(files.bufferedCapacity()).toBeLessThan(32 << 20);
    } finally {
      files.discard();
    }
  });

  it("give back the room a batch that fell in one bucket grew, once it is written", () => {
    const dir = newDir();
    const files = new BucketFiles(dir, 4096);
    const before = files.bufferedCapacity();
    for (let k = 0; k < 4096; k++) files.add(7, 0, record, 0, NO_TICK, 0, null, 0);
    expect(files.bufferedCapacity()).toBeGreaterThan(before + 4096 * L.RECORD_SIZE);
    files.endBatch(0, 4096, 0, 0);
    expect(files.bufferedCapacity()).toBe(before);
    const { bucketBytes } = files.close();
    // Everything written: the file holds the whole batch.
    expect(statSync(join(dir, bucketName(7))).size).toBe(bucketBytes[7]);
    expect(bucketBytes[7]).toBeGreaterThan(4096 * L.RECORD_SIZE);
  });

  it("cost what docs/scale-out.md's shuffle row says: a record a packet and a chunk header per bucket and batch", () => {
    const dir = newDir();
    const files = new BucketFiles(dir, 8);
    const batches = 10;
    for (let batch = 0; batch < batches; batch++) {
      for (let k = 0; k < 4096; k++) files.add(k % 8, batch, record, 0, NO_TICK, 0, null, 0);
      files.endBatch(0, 4096, batch, 0);
    }
    const { bucketBytes } = files.close();
    const total = bucketBytes.reduce((a, b) => a + b, 0);
    expect(total).toBe(8 * FILE_HEADER_SIZE + batches * (4096 * L.RECORD_SIZE + 8 * CHUNK_HEADER_SIZE));
    const perPacket = (buckets: number) => L.RECORD_SIZE + (buckets * CHUNK_HEADER_SIZE) / 4096;
    const doc = readDoc("docs/scale-out.md").replace(/\s+/g, " ");
    expect(doc).toContain(`N = ${L.RECORD_SIZE} bytes a TCP packet (the record; ${L.TUNNEL_LEVEL_SIZE} more a tunnel level) + ${CHUNK_HEADER_SIZE} bytes a chunk (its header)`);
    expect(doc).toContain(`${perPacket(8).toFixed(2)} B a packet at 8 buckets`);
    expect(doc).toContain(`+${(perPacket(64) - perPacket(8)).toFixed(2)} B at 64`);
  });
});
