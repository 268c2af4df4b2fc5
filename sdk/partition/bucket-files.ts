// The map task's output files: one per bucket, each a header and then chunks (format.ts),
// buffered in memory per bucket and written when a decoded batch is complete, so that a chunk's
// header can be patched while its batch lasts; its checksums are written when it closes (a new
// chunk of its bucket, or the batch's end). The clock file gets one entry per batch.

import { openSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";
import * as L from "../../assembly/layout.js";
import {
  BUCKET_MAGIC, CHUNK_DATA_CRC, CHUNK_HEADER_CRC, CHUNK_HEADER_SIZE, CLOCK_ENTRY_SIZE, CLOCK_MAGIC, CLOCK_NAME, FILE_HEADER_SIZE, NO_TICK,
  bucketName, sealChunkHeader, sealClockEntry, writeFileHeader,
} from "./format.js";
import { checksum } from "./checksum.js";

const WORDS = L.RECORD_SIZE / 4;
// Records a decoded batch holds (partition-captures.ts: the decoder's output slot, filled to 4 096).
const BATCH_RECORDS = 4096;

// A failed write names its file (writeSync's errors name none), so that a caller can tell the
// output's failure (a full disk) from an input's.
function naming<T>(path: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e?.code && e.path === undefined) e.path = path;
    throw error;
  }
}

/** A file written through a growable buffer; flushed by the owner at batch ends. */
class BufferedFile {
  private fd: number;
  bytes: Uint8Array;
  view: DataView;
  words: Uint32Array;
  used = 0;
  written = 0;

  constructor(private readonly path: string, initial: number) {
    this.fd = openSync(path, "w");
    this.bytes = new Uint8Array(initial);
    this.view = new DataView(this.bytes.buffer);
    this.words = new Uint32Array(this.bytes.buffer);
  }

  /** Room for `n` more bytes (the buffer doubles as needed: a batch may fall in one bucket). */
  reserve(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.used + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.bytes.subarray(0, this.used));
    this.bytes = bigger;
    this.view = new DataView(bigger.buffer);
    this.words = new Uint32Array(bigger.buffer);
  }

  flush(): void {
    naming(this.path, () => { for (let at = 0; at < this.used;) at += writeSync(this.fd, this.bytes, at, this.used - at); });
    this.written += this.used;
    this.used = 0;
  }

  /** Back to `size` bytes once written, when a batch that fell in this bucket grew it past twice that. */
  shrink(size: number): void {
    if (this.used > 0 || this.bytes.length <= 2 * size) return;
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.words = new Uint32Array(this.bytes.buffer);
  }

  close(): void {
    this.flush();
    naming(this.path, () => closeSync(this.fd));
  }

  /** Closes without writing what is buffered (the task failed: its directory is removed). */
  discard(): void {
    closeSync(this.fd);
  }
}

export class BucketFiles {
  private readonly files: BufferedFile[] = [];
  private readonly clock: BufferedFile;
  /** The open chunk of each bucket in the current batch: where its header is (-1: none). */
  private readonly chunkAt: Int32Array;
  /** The buckets with a chunk open, the first `openCount` (closed at the batch's end). */
  private readonly open: Int32Array;
  private openCount = 0;
  private readonly flushAt: number;

  constructor(dir: string, readonly buckets: number) {
    // A bucket's buffer is written once past its share of ~16 MiB (1-64 KiB), and holds its share
    // and a chunk more: at most ~80 MiB at 65 536 buckets. A share of at least 8 KiB and buffers
    // of twice it held 16 KiB a bucket: 341 MB at 16 384 buckets, ~1 GiB at 65 536. A whole
    // number of 8 bytes: the buffers are read as 32-bit words (16 MiB / 1000 is not).
    this.flushAt = Math.max(1024, Math.min(65536, Math.floor((16 << 20) / buckets / 8) * 8));
    try {
      for (let b = 0; b < buckets; b++) {
        const file = new BufferedFile(join(dir, bucketName(b)), this.bufferSize());
        file.reserve(FILE_HEADER_SIZE);
        writeFileHeader(file.view, BUCKET_MAGIC, L.RECORD_SIZE, b, buckets);
        file.used = FILE_HEADER_SIZE;
        this.files.push(file);
      }
      this.clock = new BufferedFile(join(dir, CLOCK_NAME), 1 << 16);
    } catch (error) {
      // One file open per bucket: past the process's limit (EMFILE), those opened are closed.
      for (const file of this.files) file.discard();
      throw error;
    }
    writeFileHeader(this.clock.view, CLOCK_MAGIC, CLOCK_ENTRY_SIZE, 0, 0);
    this.clock.used = FILE_HEADER_SIZE;
    this.chunkAt = new Int32Array(buckets).fill(-1);
    this.open = new Int32Array(buckets);
  }

  // A buffer's share, room for a batch's expected share of records past it (a quarter more), and
  // for a chunk of one record with the deepest tunnel chain. Without the batch's share, a bucket
  // left just under its share took a batch's records past its buffer: with few buckets (a batch's
  // share as large as the buffer's) that was most batches, each growing a buffer by doubling
  // (zeroed, copied) that the batch's end gave back when it had doubled twice (shrink): at
  // 8 buckets ~50 instructions a packet of memset and memcpy and fresh pages for every growth.
  // The batch's share is 1.25 * 4 096 records / buckets, rounded up to 8 bytes: 80 KiB at
  // 8 buckets, 16 bytes at 65 536; 0.6-1 MiB more in all, whatever the bucket count.
  private bufferSize(): number {
    const batchShare = Math.ceil((BATCH_RECORDS * L.RECORD_SIZE * 5) / 4 / this.buckets / 8) * 8;
    return this.flushAt + batchShare + CHUNK_HEADER_SIZE + L.RECORD_SIZE + L.TUNNEL_RECORD_SIZE;
  }

  /** Writes the checksums of `bucket`'s open chunk: its records and levels are all after its header. */
  private closeChunk(bucket: number): void {
    const file = this.files[bucket]!, at = this.chunkAt[bucket]!;
    file.view.setUint32(at + CHUNK_DATA_CRC, checksum(file.bytes.subarray(at + CHUNK_HEADER_SIZE, file.used)), true);
    sealChunkHeader(file.view, at);
    this.chunkAt[bucket] = -1;
  }

  /**
   * Appends record `word / 32` of `source` to `bucket` in batch `batch`, in a new chunk when
   * `tick` (seconds, or NO_TICK) is set or the bucket has no chunk open in this batch; a
   * tunnelled record's levels follow it, from `tunnels` (the batch's tunnel records) at `tunnelAt`.
   */
  add(bucket: number, batch: number, source: Uint32Array, word: number, tickSec: number, tickNsec: number, tunnels: Uint8Array | null, tunnelAt: number): void {
    const file = this.files[bucket]!;
    let at = this.chunkAt[bucket]!;
    const depth = tunnels ? (source[word + (L.REC_TUNNEL_DEPTH >> 2)]! >>> ((L.REC_TUNNEL_DEPTH & 3) * 8)) & 0xff : 0;
    const levels = depth * L.TUNNEL_LEVEL_SIZE;
    if (at < 0 || tickSec !== NO_TICK) {
      if (at < 0) this.open[this.openCount++] = bucket;
      else this.closeChunk(bucket);
      file.reserve(CHUNK_HEADER_SIZE + L.RECORD_SIZE + levels);
      at = file.used;
      file.view.setUint32(at, batch, true);
      file.view.setUint32(at + 4, 0, true);
      file.view.setFloat64(at + 8, tickSec, true);
      file.view.setUint32(at + 16, tickNsec, true);
      file.view.setUint32(at + 20, 0, true);
      file.view.setUint32(at + CHUNK_DATA_CRC, 0, true);
      file.view.setUint32(at + CHUNK_HEADER_CRC, 0, true);
      file.used += CHUNK_HEADER_SIZE;
      this.chunkAt[bucket] = at;
    } else {
      file.reserve(L.RECORD_SIZE + levels);
    }
    const to = file.used >>> 2, words = file.words;
    for (let k = 0; k < WORDS; k++) words[to + k] = source[word + k]!;
    file.used += L.RECORD_SIZE;
    file.view.setUint32(at + 4, file.view.getUint32(at + 4, true) + 1, true);
    if (levels > 0) {
      file.bytes.set(tunnels!.subarray(tunnelAt, tunnelAt + levels), file.used);
      file.used += levels; // levels are 48 bytes: the next record stays 4-byte aligned
      file.view.setUint32(at + 20, file.view.getUint32(at + 20, true) + levels, true);
    }
  }

  /** Closes the batch's chunks and writes its clock entry; buffers past their share are written. */
  endBatch(fileIndex: number, records: number, latestSec: number, latestNsec: number): void {
    for (let k = 0; k < this.openCount; k++) this.closeChunk(this.open[k]!);
    this.openCount = 0;
    const clock = this.clock;
    clock.reserve(CLOCK_ENTRY_SIZE);
    clock.view.setUint32(clock.used, fileIndex, true);
    clock.view.setUint32(clock.used + 4, records, true);
    clock.view.setFloat64(clock.used + 8, latestSec, true);
    clock.view.setUint32(clock.used + 16, latestNsec, true);
    sealClockEntry(clock.view, clock.used);
    clock.used += CLOCK_ENTRY_SIZE;
    for (const file of this.files) {
      if (file.used < this.flushAt) continue;
      file.flush();
      file.shrink(this.bufferSize());
    }
    if (clock.used >= 1 << 16) clock.flush();
  }

  /** Bytes the buffers hold room for, used or not (the memory they take). */
  bufferedCapacity(): number {
    return this.files.reduce((n, f) => n + f.bytes.length, this.clock.bytes.length);
  }

  /** Writes everything; returns each bucket file's size and the clock file's. */
  close(): { bucketBytes: number[]; clockBytes: number } {
    for (const file of this.files) file.close();
    this.clock.close();
    return { bucketBytes: this.files.map((f) => f.written), clockBytes: this.clock.written };
  }

  discard(): void {
    for (const file of this.files) file.discard();
    this.clock.discard();
  }
}
