// Reads one bucket file's chunks in order (format.ts: a 24-byte header, then the records and
// the tunnelled ones' levels), through a small buffer: a reduce may hold one open per map output.

import { closeSync, readSync } from "node:fs";
import * as L from "../../assembly/layout.js";
import { CHUNK_HEADER_SIZE, FILE_HEADER_SIZE } from "./format.js";
import { PartitionError } from "./map-outputs.js";

const BUFFER = 64 << 10;

export interface Chunk { batch: number; count: number; tickSec: number; tickNsec: number }

/** Where a chunk is read to: records and their tunnel records, room made by reserve(count). */
export interface ChunkArea { bytes: Uint8Array; tunnels: Uint8Array; reserve(count: number): void }

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

  /**
   * Reads the next chunk's header, its records into `into.bytes` and each tunnelled record's
   * levels into its tunnel record in `into.tunnels` (same index; `into.reserve` makes room for
   * `count`); returns the header.
   */
  read(into: ChunkArea): Chunk {
    if (!this.fill(CHUNK_HEADER_SIZE)) throw new PartitionError(`${this.path}: ends inside a chunk header`);
    const at = this.start, view = this.view;
    const offset = this.position - (this.end - at); // the chunk's byte offset in the file
    const chunk = {
      batch: view.getUint32(at, true), count: view.getUint32(at + 4, true),
      tickSec: view.getFloat64(at + 8, true), tickNsec: view.getUint32(at + 16, true),
    };
    const tunnelBytes = view.getUint32(at + 20, true);
    this.start += CHUNK_HEADER_SIZE;
    into.reserve(chunk.count);
    if (tunnelBytes === 0) {
      this.copy(into.bytes, 0, chunk.count * L.RECORD_SIZE, chunk.count);
      return chunk;
    }
    let levels = 0;
    for (let i = 0; i < chunk.count; i++) {
      this.copy(into.bytes, i * L.RECORD_SIZE, L.RECORD_SIZE, chunk.count);
      const depth = into.bytes[i * L.RECORD_SIZE + L.REC_TUNNEL_DEPTH]!;
      if (depth > L.MAX_TUNNEL_DEPTH) throw new PartitionError(`${this.path}: byte ${offset}: a chunk's record of ${depth} tunnel levels (at most ${L.MAX_TUNNEL_DEPTH})`);
      this.copy(into.tunnels, i * L.TUNNEL_RECORD_SIZE, depth * L.TUNNEL_LEVEL_SIZE, chunk.count);
      levels += depth * L.TUNNEL_LEVEL_SIZE;
    }
    if (levels !== tunnelBytes) throw new PartitionError(`${this.path}: byte ${offset}: a chunk's tunnel levels are ${levels} bytes, its header says ${tunnelBytes}`);
    return chunk;
  }

  // Copies the next `bytes` bytes of the file into `to` at `offset`.
  private copy(to: Uint8Array, offset: number, bytes: number, count: number): void {
    for (let copied = 0; copied < bytes;) {
      if (!this.fill(1)) throw new PartitionError(`${this.path}: ends inside a chunk of ${count} records`);
      const n = Math.min(bytes - copied, this.end - this.start);
      to.set(this.buffer.subarray(this.start, this.start + n), offset + copied);
      this.start += n;
      copied += n;
    }
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
