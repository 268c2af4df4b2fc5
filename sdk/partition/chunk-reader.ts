// Reads one bucket file's chunks in order (format.ts: a 32-byte header, then the records and
// the tunnelled ones' levels), through a small buffer: a reduce may hold one open per map output.
// Each header's checksum is checked before its counts are used, each chunk's records and levels
// against theirs before they are handed on: damage is a PartitionDamage naming the chunk's byte.

import { closeSync, readSync } from "node:fs";
import * as L from "../../assembly/layout.js";
import { CHUNK_DATA_CRC, CHUNK_HEADER_SIZE, FILE_HEADER_SIZE, chunkHeaderIntact } from "./format.js";
import { checksum } from "./checksum.js";
import { PartitionDamage, unreadable } from "./map-outputs.js";

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
  private headerChecked = false; // the unread chunk header's checksum has been checked
  private crc = 0; // of the chunk's bytes read so far

  constructor(private readonly path: string, private readonly fd: number, private readonly size: number) {
    this.position = FILE_HEADER_SIZE;
  }

  /** The batch of the next chunk, or -1 at the end of the file. */
  nextBatch(): number {
    if (!this.header()) return -1;
    return this.view.getUint32(this.start, true);
  }

  /**
   * Reads the next chunk's header, its records into `into.bytes` and each tunnelled record's
   * levels into its tunnel record in `into.tunnels` (same index; `into.reserve` makes room for
   * `count`); returns the header.
   */
  read(into: ChunkArea): Chunk {
    const offset = this.offset; // the chunk's byte offset in the file
    if (!this.header()) throw this.damage(offset, "a chunk expected, the file ends");
    const at = this.start, view = this.view;
    const chunk = {
      batch: view.getUint32(at, true), count: view.getUint32(at + 4, true),
      tickSec: view.getFloat64(at + 8, true), tickNsec: view.getUint32(at + 16, true),
    };
    const tunnelBytes = view.getUint32(at + 20, true), dataCrc = view.getUint32(at + CHUNK_DATA_CRC, true);
    const bytes = chunk.count * L.RECORD_SIZE + tunnelBytes;
    if (offset + CHUNK_HEADER_SIZE + bytes > this.size) {
      throw this.damage(offset, `the file ends inside this chunk of ${chunk.count} records (${bytes} bytes after its header, ${this.size - offset - CHUNK_HEADER_SIZE} there)`);
    }
    this.start += CHUNK_HEADER_SIZE;
    this.headerChecked = false;
    this.crc = 0;
    into.reserve(chunk.count);
    if (tunnelBytes === 0) {
      this.copy(into.bytes, 0, chunk.count * L.RECORD_SIZE);
    } else {
      let levels = 0;
      for (let i = 0; i < chunk.count && levels <= tunnelBytes; i++) {
        this.copy(into.bytes, i * L.RECORD_SIZE, L.RECORD_SIZE);
        const depth = Math.min(into.bytes[i * L.RECORD_SIZE + L.REC_TUNNEL_DEPTH]!, L.MAX_TUNNEL_DEPTH);
        this.copy(into.tunnels, i * L.TUNNEL_RECORD_SIZE, Math.min(depth * L.TUNNEL_LEVEL_SIZE, tunnelBytes - levels));
        levels += depth * L.TUNNEL_LEVEL_SIZE;
      }
      // The checksum matches the bytes written; these checks catch a map task's mistake.
      this.checkData(offset, dataCrc);
      for (let i = 0; i < chunk.count; i++) {
        const depth = into.bytes[i * L.RECORD_SIZE + L.REC_TUNNEL_DEPTH]!;
        if (depth > L.MAX_TUNNEL_DEPTH) throw this.damage(offset, `a chunk's record of ${depth} tunnel levels (at most ${L.MAX_TUNNEL_DEPTH})`);
      }
      if (levels !== tunnelBytes) throw this.damage(offset, `a chunk's tunnel levels are ${levels} bytes, its header says ${tunnelBytes}`);
      return chunk;
    }
    this.checkData(offset, dataCrc);
    return chunk;
  }

  /** True once every byte has been read. */
  get done(): boolean { return this.start === this.end && this.position >= this.size; }

  close(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }

  /** The file offset of the next unread byte. */
  private get offset(): number { return this.position - (this.end - this.start); }

  private damage(offset: number, what: string): PartitionDamage {
    return new PartitionDamage(`${this.path}: byte ${offset}: ${what}: the bucket file is damaged (run its partition task again)`);
  }

  // The next chunk's header in the buffer, its checksum checked; false at the end of the file.
  private header(): boolean {
    if (!this.fill(CHUNK_HEADER_SIZE)) {
      if (this.start === this.end) return false;
      throw this.damage(this.offset, `the file ends inside a chunk header (${this.end - this.start} of ${CHUNK_HEADER_SIZE} bytes)`);
    }
    if (!this.headerChecked) {
      if (!chunkHeaderIntact(this.view, this.start)) throw this.damage(this.offset, "a chunk header's checksum does not match");
      this.headerChecked = true;
    }
    return true;
  }

  private checkData(offset: number, expected: number): void {
    if (this.crc !== expected) throw this.damage(offset, "the checksum of the chunk's records does not match");
  }

  // Copies the next `bytes` bytes of the file into `to` at `offset`, adding them to the chunk's checksum.
  private copy(to: Uint8Array, offset: number, bytes: number): void {
    for (let copied = 0; copied < bytes;) {
      if (!this.fill(1)) throw this.damage(this.offset, "the file ends here: it was cut short while being read");
      const n = Math.min(bytes - copied, this.end - this.start);
      const piece = this.buffer.subarray(this.start, this.start + n);
      this.crc = checksum(piece, this.crc);
      to.set(piece, offset + copied);
      this.start += n;
      copied += n;
    }
  }

  // At least `n` unread bytes in the buffer (n ≤ its size); false at the end of the file.
  private fill(n: number): boolean {
    if (this.end - this.start >= n) return true;
    this.buffer.copyWithin(0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    while (this.end < n && this.position < this.size) {
      let got: number;
      try {
        got = readSync(this.fd, this.buffer, this.end, this.buffer.length - this.end, this.position);
      } catch (error) {
        // Found while the bucket is read, as damage is: what was tracked before it stands.
        throw unreadable(this.path, error, this.position);
      }
      if (got === 0) break;
      this.end += got;
      this.position += got;
    }
    return this.end - this.start >= n;
  }
}
