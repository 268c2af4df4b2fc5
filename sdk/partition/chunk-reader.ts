// Reads one bucket file's chunks in order (format.ts: a 24-byte header, then the records),
// through a small buffer: a reduce may hold one open per map output.

import { closeSync, readSync } from "node:fs";
import * as L from "../../assembly/layout.js";
import { CHUNK_HEADER_SIZE, FILE_HEADER_SIZE } from "./format.js";
import { PartitionError } from "./map-outputs.js";

const BUFFER = 64 << 10;

export interface Chunk { batch: number; count: number; tickSec: number; tickNsec: number }

export class ChunkReader {
  private buffer = new Uint8Array(BUFFER);
  private view = new DataView(this.buffer.buffer);
  private start = 0; // unread bytes are buffer[start, end)
  private end = 0;
  private position: number; // the file's next byte to read into the buffer
  private closed = false;

  constructor(private readonly path: string, private readonly fd: number, private readonly size: number) {
    this.position = FILE_HEADER_SIZE;
  }

  /** The batch of the next chunk, or -1 at the end of the file. */
  nextBatch(): number {
    if (!this.fill(CHUNK_HEADER_SIZE)) return -1;
    return this.view.getUint32(this.start, true);
  }

  /** Reads the next chunk's header, and its records into `into` (grown as needed); returns both. */
  read(into: { bytes: Uint8Array }): Chunk {
    if (!this.fill(CHUNK_HEADER_SIZE)) throw new PartitionError(`${this.path}: ends inside a chunk header`);
    const at = this.start, view = this.view;
    const chunk = {
      batch: view.getUint32(at, true), count: view.getUint32(at + 4, true),
      tickSec: view.getFloat64(at + 8, true), tickNsec: view.getUint32(at + 16, true),
    };
    this.start += CHUNK_HEADER_SIZE;
    const bytes = chunk.count * L.RECORD_SIZE;
    if (into.bytes.length < bytes) into.bytes = new Uint8Array(bytes);
    for (let copied = 0; copied < bytes;) {
      if (!this.fill(1)) throw new PartitionError(`${this.path}: ends inside a chunk of ${chunk.count} records`);
      const n = Math.min(bytes - copied, this.end - this.start);
      into.bytes.set(this.buffer.subarray(this.start, this.start + n), copied);
      this.start += n;
      copied += n;
    }
    return chunk;
  }

  /** True once every byte has been read. */
  get done(): boolean { return this.start === this.end && this.position >= this.size; }

  close(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }

  // At least `n` unread bytes in the buffer (n ≤ its size); false at the end of the file.
  private fill(n: number): boolean {
    if (this.end - this.start >= n) return true;
    this.buffer.copyWithin(0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    while (this.end < n && this.position < this.size) {
      const got = readSync(this.fd, this.buffer, this.end, this.buffer.length - this.end, this.position);
      if (got === 0) break;
      this.end += got;
      this.position += got;
    }
    return this.end - this.start >= n;
  }
}
