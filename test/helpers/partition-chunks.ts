// Where a bucket file's chunks are (docs/partitions.md), for tests that damage one: each
// chunk's byte offset and its size (header, records and tunnel levels), read from the headers.

import { crc32 } from "node:zlib";

export const CHUNK_HEADER = 32;

export interface ChunkPlace { at: number; bytes: number; records: number }

export function chunkPlaces(file: Uint8Array): ChunkPlace[] {
  const view = new DataView(file.buffer, file.byteOffset, file.length);
  const places: ChunkPlace[] = [];
  for (let at = 32; at < file.length;) {
    const records = view.getUint32(at + 4, true);
    const bytes = CHUNK_HEADER + records * 128 + view.getUint32(at + 20, true);
    places.push({ at, bytes, records });
    at += bytes;
  }
  return places;
}

/** A manifest's checksum field made right again after a test changed its other fields. */
export function resealManifest(manifest: Record<string, unknown>): string {
  const { checksum: _old, ...rest } = manifest;
  return JSON.stringify({ ...rest, checksum: crc32(JSON.stringify(rest)) }, null, 1) + "\n";
}

/** A chunk header's checksum made right again after a test changed its fields. */
export function resealChunkHeader(file: Uint8Array, at: number): void {
  new DataView(file.buffer, file.byteOffset).setUint32(at + 28, crc32(file.subarray(at, at + 28)), true);
}
