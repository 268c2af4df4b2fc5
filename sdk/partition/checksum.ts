// The partition files' checksum: CRC-32 (as zlib and gzip compute it), by Node's zlib.crc32
// (Node 20.15 on; package.json asks for 20.19): native, where slicing-by-8 tables in JavaScript ran
// at 2.1 GB/s and a byte table at 0.5 GB/s (docs/benchmarks.md, "Tried and measured", round 20).
// Measured again on 12-07 on a quiet machine: 2.7 GB/s on 64 KiB pieces (not the 6.4 first noted),
// ~3.7 instructions a byte under callgrind: ~15 % of the partition map's instructions.

// Looked up on the namespace, not imported by name: on a Node without it the SDK must still load,
// to say which Node it needs (runtime-check.ts), not fail to link.
import * as zlib from "node:zlib";

/** The CRC-32 of `bytes`, continuing `crc` (the CRC-32 of the bytes before them; 0: none). */
export function checksum(bytes: Uint8Array, crc = 0): number {
  return zlib.crc32(bytes, crc);
}
